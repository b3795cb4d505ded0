import fs from 'node:fs';
import { SluiceError } from '../errors.js';
import { HttpService, type Routes } from './http-service.js';
import { controlSocketPath } from './socket-path.js';

/**
 * The control socket of a state directory. Only the holder of the instance lock may call this: it replaces a socket
 * left by a killed daemon. The socket is created with mode 0600 (umask during bind, then chmod) and removed on close.
 */
export class ControlServer {
  readonly path: string;
  readonly #service: HttpService;
  #closing: Promise<void> | null = null;

  private constructor(file: string, service: HttpService) {
    this.path = file;
    this.#service = service;
  }

  static async listen(stateDir: string, routes: Routes): Promise<ControlServer> {
    const file = controlSocketPath(stateDir);
    fs.rmSync(file, { force: true });
    const umask = process.umask(0o177);
    let service: HttpService;
    try {
      service = await HttpService.listen({ path: file }, routes);
    } catch (err) {
      throw new SluiceError('CONTROL_UNAVAILABLE', `cannot serve the control socket ${file}: ${(err as Error).message}`,
        { kind: 'transient', cause: err });
    } finally {
      process.umask(umask);
    }
    fs.chmodSync(file, 0o600);
    return new ControlServer(file, service);
  }

  /** Stops serving and removes the socket file. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#service.close().finally(() => fs.rmSync(this.path, { force: true }));
    return this.#closing;
  }
}
