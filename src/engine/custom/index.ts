/**
 * Custom image-processing modules (docs/design.md sections 4 and
 * 10): the wizard's template, compile + sandboxed execution, project records
 * and the user's trust list. docs/custom-modules.md gives the rules the engine
 * service follows to wire them.
 */
export { customModuleTemplate, customModuleTypings } from './template';
export {
  compileCustomModule,
  disposeNodeType,
  isCustomModuleNodeType,
  sourceHashOf,
  type CompileOptions,
  type CompileResult,
  type CustomModuleNodeType,
} from './compile';
export {
  deleteCustomModuleRecord,
  readCustomModules,
  saveCustomModuleRecord,
  versionToSave,
  type StoredCustomModule,
} from './records';
export { compileProjectModules, type ProjectModules } from './project-modules';
export { TrustList, configDir } from './trust-list';
export { DEFAULT_LIMITS } from './sandbox/host';
export { confinement } from './sandbox/confine';
export type { SandboxLimits } from './sandbox/protocol';
