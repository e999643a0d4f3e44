import { createContext, useContext, useSyncExternalStore, type ReactNode } from "react";

import type { MoneyGrowApi } from "./client";
import type { SessionState } from "./session";

const ApiContext = createContext<MoneyGrowApi | null>(null);

export function ApiProvider({ api, children }: { api: MoneyGrowApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): MoneyGrowApi {
  const api = useContext(ApiContext);
  if (api === null) throw new Error("useApi outside ApiProvider");
  return api;
}

export function useSession(): SessionState & { signedIn: boolean } {
  const api = useApi();
  const state = useSyncExternalStore(api.session.subscribe, api.session.getSnapshot);
  return { ...state, signedIn: state.accessToken !== null || state.refreshToken !== null };
}
