// The signed-in session. The access token lives in memory only; the refresh token is kept in this
// tab's sessionStorage so a reload (or opening a shared analysis link in the same tab) does not sign
// the user out. It is spent on every refresh (the API rotates it) and dropped on sign-out. The device
// token (not a credential: it only separates this browser's failed logins) stays in localStorage.

const REFRESH_KEY = "moneygrow.refresh";
const DEVICE_KEY = "moneygrow.device"; // this browser's device token (kept across sessions: localStorage)

export interface SessionState {
  accessToken: string | null;
  refreshToken: string | null;
  /** When the access token lapses (epoch ms); null when unknown. */
  expiresAt?: number | null;
}

/** Refresh this long before the access token lapses, so requests do not meet a 401. */
const EARLY_MS = 30_000;

type Listener = () => void;

export class Session {
  private state: SessionState;
  private listeners = new Set<Listener>();
  private refreshing: Promise<boolean> | null = null;

  constructor(
    private storage: Storage | null = safeStorage("sessionStorage"),
    private lasting: Storage | null = safeStorage("localStorage"),
  ) {
    this.state = { accessToken: null, refreshToken: storage?.getItem(REFRESH_KEY) ?? null };
  }

  get deviceToken(): string | null {
    return this.lasting?.getItem(DEVICE_KEY) ?? null;
  }

  set deviceToken(token: string | null) {
    if (token === null) this.lasting?.removeItem(DEVICE_KEY);
    else this.lasting?.setItem(DEVICE_KEY, token);
  }

  get snapshot(): SessionState {
    return this.state;
  }

  get signedIn(): boolean {
    return this.state.accessToken !== null || this.state.refreshToken !== null;
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): SessionState => this.state;

  set(accessToken: string, refreshToken: string, expiresInS?: number): void {
    this.storage?.setItem(REFRESH_KEY, refreshToken);
    const expiresAt = expiresInS === undefined ? null : Date.now() + expiresInS * 1000;
    this.update({ accessToken, refreshToken, expiresAt });
  }

  /** No usable access token (none yet after a reload, or about to lapse) but a refresh token. */
  get needsRefresh(): boolean {
    const { accessToken, refreshToken, expiresAt } = this.state;
    if (refreshToken === null) return false;
    return accessToken === null || (expiresAt != null && Date.now() > expiresAt - EARLY_MS);
  }

  clear(): void {
    this.storage?.removeItem(REFRESH_KEY);
    this.update({ accessToken: null, refreshToken: null });
  }

  /** One refresh at a time: concurrent 401s wait for the same attempt. True when a new pair arrived. */
  refresh(
    exchange: (refreshToken: string) => Promise<{ access_token: string; refresh_token: string; expires_in?: number } | null>,
  ): Promise<boolean> {
    const token = this.state.refreshToken;
    if (token === null) return Promise.resolve(false);
    if (this.refreshing === null) {
      this.refreshing = exchange(token)
        .then((pair) => {
          if (pair === null) {
            this.clear();
            return false;
          }
          this.set(pair.access_token, pair.refresh_token, pair.expires_in);
          return true;
        })
        .catch(() => false)
        .finally(() => {
          this.refreshing = null;
        });
    }
    return this.refreshing;
  }

  private update(next: SessionState): void {
    this.state = next;
    this.listeners.forEach((l) => l());
  }
}

function safeStorage(kind: "sessionStorage" | "localStorage"): Storage | null {
  try {
    return typeof window === "undefined" ? null : window[kind];
  } catch {
    return null;
  }
}
