// The daemon's JSON API (see the contract in docs): GETs that may be aborted, the one POST, and a loader that keeps at
// most one request in flight per list however often it is asked to refresh.

/** A failed request: `status` is the HTTP status (0 when the daemon could not be reached). */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** GETs `path` and parses its JSON; rejects with an ApiError carrying the server's `error` text when not 2xx. */
export async function getJson(path, signal) {
  return reply(await send(path, { signal, headers: { accept: 'application/json' } }));
}

/** POSTs `body` as JSON with the CSRF token the status gave. Same errors as getJson. */
export async function postJson(path, body, csrf) {
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  if (csrf) headers['x-csrf-token'] = csrf;
  return reply(await send(path, { method: 'POST', headers, body: JSON.stringify(body) }));
}

async function send(path, init) {
  try {
    return await fetch(path, { credentials: 'same-origin', ...init });
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    throw new ApiError('cannot reach the daemon', 0);
  }
}

async function reply(res) {
  const data = await res.json().catch(() => null);
  if (res.ok && data !== null) return data;
  const reason = data && typeof data.error === 'string' ? data.error : `HTTP ${res.status}`;
  throw new ApiError(res.status === 401 ? `not signed in (${reason}): open sluice dashboard again` : reason, res.status);
}

/**
 * Loads one list. load(url) fetches it unless a request is in flight: then the same URL is fetched once more after it
 * (revisions can bump faster than the daemon answers: never a pile-up), and a different URL (the user went to
 * another page) aborts it. `onData` sees only the answer to the latest URL asked for.
 */
export class Loader {
  #onData;
  #onError;
  #url = null;
  #controller = null;
  #again = false;

  /** @param {(data: any, url: string) => void} onData @param {(err: Error) => void} onError */
  constructor(onData, onError) {
    this.#onData = onData;
    this.#onError = onError;
  }

  /** @param {string} url */
  load(url) {
    const changed = url !== this.#url;
    this.#url = url;
    if (this.#controller === null) void this.#run();
    else if (changed) this.#controller.abort();
    else this.#again = true;
  }

  /** Forgets the list (its view was left): aborts a request in flight, no callback follows. */
  stop() {
    this.#url = null;
    this.#controller?.abort();
  }

  async #run() {
    do {
      this.#again = false;
      const url = this.#url;
      if (url === null) break;
      const controller = (this.#controller = new AbortController());
      try {
        const data = await getJson(url, controller.signal);
        if (url === this.#url) this.#onData(data, url);
      } catch (err) {
        if (err?.name !== 'AbortError' && url === this.#url) this.#onError(err);
      }
      if (controller.signal.aborted && this.#url !== null) this.#again = true;
    } while (this.#again);
    this.#controller = null;
  }
}
