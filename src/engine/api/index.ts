/** The engine contract: everything a front end may know of the engine. */
export * from './sample';
export * from './graph';
export * from './node-types';
export * from './events';
export * from './requests';
export * from './wire/frames';
export * from './dataset';
export * from './evaluation';
export * from './evaluation-figures';
export * from './trust';
export * from './limits';
export * from './params-merge';
export * from './projects';
export * from './names';
export * from './metric-names';
export * from './graph-edits';
export * from './network-spec';
