import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { App, makeQueryClient } from "../App";
import { MoneyGrowApi } from "../api/client";
import { Session } from "../api/session";
import { BASE } from "./fakeServer";

/** The whole app at `path`, talking to a fake API; signed in unless told otherwise. */
export function renderApp(path: string, fetchImpl: typeof fetch, { signedIn = true } = {}) {
  const session = new Session(window.sessionStorage);
  if (signedIn) session.set("access-1", "refresh-1");
  const api = new MoneyGrowApi(BASE, session, fetchImpl);
  window.history.pushState({}, "", path);
  const user = userEvent.setup();
  const view = render(<App api={api} queryClient={makeQueryClient()} />);
  return { api, user, ...view };
}
