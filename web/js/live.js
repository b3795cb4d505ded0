// The live stream: one EventSource on /api/events for the page. It reconnects by itself after an error (the server's
// `retry:`); when the browser gives up (readyState CLOSED, e.g. the daemon answered with an error), this makes a new
// one after a delay. Paused or hidden, the stream is closed: no traffic, no rendering.

/** @typedef {'connecting' | 'live' | 'paused' | 'disconnected'} LiveState */

export class Live {
  #url;
  #onStatus;
  #onState;
  #retryMs;
  #source = null;
  #timer = null;
  #paused = false;
  #hidden = false;
  /** @type {LiveState} */
  #state = 'connecting';

  /**
   * @param {{ url: string, onStatus: (status: any) => void, onState: (state: LiveState) => void, retryMs?: number }} o
   *   onStatus gets each `status` event's parsed data; onState each change of the connection's state.
   *   `retryMs` (@default 3000) is the wait before replacing a CLOSED EventSource.
   */
  constructor({ url, onStatus, onState, retryMs = 3000 }) {
    this.#url = url;
    this.#onStatus = onStatus;
    this.#onState = onState;
    this.#retryMs = retryMs;
  }

  /** @returns {LiveState} */
  get state() {
    return this.#state;
  }

  get paused() {
    return this.#paused;
  }

  /** Opens the stream (unless paused or hidden). */
  start() {
    if (this.#paused || this.#hidden || this.#source !== null) return;
    clearTimeout(this.#timer);
    this.#set('connecting');
    const source = (this.#source = new EventSource(this.#url));
    source.addEventListener('open', () => this.#set('live'));
    source.addEventListener('status', (e) => {
      this.#set('live');
      this.#onStatus(JSON.parse(e.data));
    });
    source.addEventListener('error', () => {
      this.#set('disconnected');
      if (source.readyState === EventSource.CLOSED) this.#replaceLater(source);
    });
  }

  /** Pauses (true) or resumes (false) live updates: the user's toggle. */
  setPaused(paused) {
    this.#paused = paused;
    if (paused) this.#close('paused');
    else this.start();
  }

  /** The page was hidden (true) or shown again (false): hidden pages keep no stream open. */
  setHidden(hidden) {
    this.#hidden = hidden;
    if (hidden) this.#close(this.#paused ? 'paused' : 'disconnected');
    else this.start();
  }

  #replaceLater(source) {
    if (this.#source !== source) return;
    source.close();
    this.#source = null;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.start(), this.#retryMs);
  }

  #close(state) {
    clearTimeout(this.#timer);
    this.#source?.close();
    this.#source = null;
    this.#set(state);
  }

  #set(state) {
    if (state === this.#state) return;
    this.#state = state;
    this.#onState(state);
  }
}
