/** The part of xhr2 (XMLHttpRequest for Node, no bundled types) that dicomweb.ts uses. */
declare module 'xhr2' {
  import type { Agent } from 'node:https';
  class XMLHttpRequest {
    timeout: number;
    onreadystatechange: ((event: unknown) => void) | null;
    nodejsSet(options: { httpsAgent?: Agent }): void;
    setRequestHeader(name: string, value: string): void;
  }
  export default XMLHttpRequest;
}
