/**
 * A real Orthanc PACS for the PACS tests: started on free loopback ports with a
 * temporary configuration and storage (HTTP basic authentication on, the DICOMweb
 * plugin enabled, one DICOM modality entry for our AE title and C-STORE port), and
 * stopped again by `stop()`. Debian's `orthanc` and `orthanc-dicomweb` packages.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BINARY = '/usr/sbin/Orthanc';
const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

/** A running Orthanc and how to reach it. */
export interface Orthanc {
  /** `http://127.0.0.1:PORT` (REST API). */
  http: string;
  /** `http://127.0.0.1:PORT/dicom-web`. */
  dicomweb: string;
  /** `dicom://AET@127.0.0.1:PORT`. */
  dimse: string;
  user: string;
  password: string;
  /** Orthanc's own AE title. */
  aet: string;
  /** Our AE title and the port of our C-STORE SCP, as Orthanc's modality entry names them. */
  ourAet: string;
  ourPort: number;
  /** Authenticated REST call; JSON body in, parsed JSON (or bytes for `raw`) out. */
  rest(path: string, init?: { method?: string; body?: Buffer | string; raw?: boolean }): Promise<unknown>;
  /** Uploads a DICOM Part-10 file through the REST API; returns Orthanc's instance id. */
  upload(file: string): Promise<string>;
  stop(): Promise<void>;
}

/** A TCP port free on the loopback interface right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Throws naming the Debian packages when Orthanc or its DICOMweb plugin is not installed. */
function checkInstalled(): void {
  if (!existsSync(BINARY) || !existsSync(DICOMWEB_PLUGIN))
    throw new Error(
      'Orthanc with its DICOMweb plugin is not installed: apt-get install orthanc orthanc-dicomweb',
    );
  const version = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) throw new Error(`${BINARY} --version failed: ${version.stderr}`);
}

/** Starts Orthanc and waits until its REST API answers. */
export async function startOrthanc(ourAet = 'PHI'): Promise<Orthanc> {
  checkInstalled();
  const root = mkdtempSync(join(tmpdir(), 'phi-orthanc-'));
  const [httpPort, dicomPort, ourPort] = [await freePort(), await freePort(), await freePort()];
  const user = 'phi';
  const password = 'orthanc-test-password';
  const aet = 'ORTHANC';
  const config = {
    Name: 'phi-test',
    StorageDirectory: join(root, 'db'),
    IndexDirectory: join(root, 'db'),
    HttpPort: httpPort,
    DicomPort: dicomPort,
    DicomAet: aet,
    DicomCheckCalledAet: true,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [user]: password },
    // Only the modality below may open associations.
    DicomAlwaysAllowEcho: false,
    DicomAlwaysAllowFind: false,
    DicomAlwaysAllowGet: false,
    DicomAlwaysAllowMove: false,
    DicomAlwaysAllowStore: false,
    DicomModalities: { phi: [ourAet, '127.0.0.1', ourPort] },
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false },
    SaveJobs: false,
    HttpThreadsCount: 4,
  };
  const configFile = join(root, 'orthanc.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const log = join(root, 'orthanc.log');
  writeFileSync(log, '');
  const child: ChildProcess = spawn(BINARY, [`--logfile=${log}`, configFile], {
    stdio: 'ignore',
  });
  let exited = false;
  // Never outlive the test process, even when it ends without calling stop().
  const killAtExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killAtExit);
  child.once('exit', () => {
    exited = true;
    process.off('exit', killAtExit);
  });

  const http = `http://127.0.0.1:${httpPort}`;
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const rest: Orthanc['rest'] = async (path, init = {}) => {
    const response = await fetch(`${http}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { Authorization: authorization },
      body: init.body,
    });
    if (!response.ok) throw new Error(`Orthanc ${path}: HTTP ${response.status} ${await response.text()}`);
    return init.raw ? Buffer.from(await response.arrayBuffer()) : response.json();
  };
  const stop = async (): Promise<void> => {
    if (!exited) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(root, { recursive: true, force: true });
  };

  try {
    for (let attempt = 0; ; attempt++) {
      if (exited) throw new Error(`Orthanc exited at start: ${readFileSync(log, 'utf8').slice(-2000)}`);
      try {
        await rest('/system');
        break;
      } catch (error) {
        if (attempt > 600) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    http,
    dicomweb: `${http}/dicom-web`,
    dimse: `dicom://${aet}@127.0.0.1:${dicomPort}`,
    user,
    password,
    aet,
    ourAet,
    ourPort,
    rest,
    async upload(file) {
      const answer = (await rest('/instances', { body: readFileSync(file) })) as { ID: string };
      return answer.ID;
    },
    stop,
  };
}

/** A TCP proxy on loopback that drops every connection at a chosen point. */
export interface CuttingProxy {
  port: number;
  /** Whether the cut happened. */
  cut(): boolean;
  close(): Promise<void>;
}

/** Where a {@link startCuttingProxy} cuts: after a number of bytes, or on one connection after some answers. */
export type Cut = { bytes: number } | { connection: number; chunks: number };

/**
 * Starts a proxy to `127.0.0.1:targetPort` that forwards both ways and then, a server that drops
 * the connection mid-transfer, forwards no more and closes every connection: `{ bytes }` once the
 * server has sent that many bytes over all connections (in order); `{ connection, chunks }` once
 * the server has sent that many chunks (a DIMSE peer's answers arrive one a chunk) on the
 * connection of that number (1 the first).
 */
export async function startCuttingProxy(targetPort: number, where: Cut): Promise<CuttingProxy> {
  let sent = 0;
  let connections = 0;
  let cut = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const number = ++connections;
    let chunks = 0;
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    if (cut) return [client, upstream].forEach((s) => s.destroy());
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (cut) return;
      chunks += 1;
      const room = 'bytes' in where ? where.bytes - sent : Infinity;
      sent += chunk.length;
      const last = 'chunks' in where && number === where.connection && chunks >= where.chunks;
      if (chunk.length < room && !last) return void client.write(chunk);
      cut = true;
      client.write(chunk.subarray(0, Math.min(room, chunk.length)), () => {
        for (const socket of sockets) socket.destroy();
      });
    });
    upstream.on('end', () => client.end());
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    cut: () => cut,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
