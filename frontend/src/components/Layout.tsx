import { useQuery, useQueryClient } from "@tanstack/react-query";
import { NavLink, Outlet, useNavigate } from "react-router-dom";

import { useApi, useSession } from "../api/context";
import styles from "./Layout.module.css";

export function Layout() {
  const api = useApi();
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: ["me"], queryFn: () => api.me(), enabled: signedIn, staleTime: 60_000 });

  async function signOut() {
    await api.signOut();
    queryClient.clear();
    navigate("/sign-in");
  }

  return (
    <div className={styles.shell}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className={styles.header}>
        <NavLink to="/" className={styles.brand} aria-label="MoneyGrow home">
          <span aria-hidden="true" className={styles.logo}>▲</span> MoneyGrow
        </NavLink>
        {signedIn && (
          <nav aria-label="Main" className={styles.nav}>
            <NavLink to="/" end>
              Analyze
            </NavLink>
            <NavLink to="/history">History</NavLink>
            <NavLink to="/watchlist">Watchlist</NavLink>
            <NavLink to="/alerts">Alerts</NavLink>
            <NavLink to="/keys">API keys</NavLink>
          </nav>
        )}
        {signedIn && (
          <div className={styles.user}>
            {me.data && (
              <span className={styles.who}>
                <span className={styles.email}>{me.data.email}</span>
                <span className="badge" title="Your plan">
                  {me.data.tier}
                </span>
              </span>
            )}
            <button type="button" className="button secondary" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main" className={styles.main} tabIndex={-1}>
        <Outlet />
      </main>
      <footer className={styles.footer}>
        MoneyGrow explains what a token contract lets its owners do. It is not financial advice.
      </footer>
    </div>
  );
}
