/** The part of xhr2 (XMLHttpRequest for Node, no bundled types) that dicomweb.ts uses. */
declare module 'xhr2' {
  import type { Agent } from 'node:https';
  class XMLHttpRequest {
    timeout: number;
    onreadystatechange: ((event: unknown) => void) | null;
    nodejsSet(options: { httpsAgent?: Agent }): void;
    setRequestHeader(name: string, value: string): void;
    addEventListener(
      type: 'progress' | 'error' | 'timeout',
      listener: (event: { loaded: number; total: number; lengthComputable: boolean }) => void,
    ): void;
  }
  export default XMLHttpRequest;
}
