import { QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { lazy, Suspense, type ReactNode } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation, type Location } from "react-router-dom";

import { ApiProvider, useSession } from "./api/context";
import type { MoneyGrowApi } from "./api/client";
import { ApiError } from "./api/errors";
import { Layout } from "./components/Layout";
import { AnalysisPage } from "./pages/AnalysisPage";
import { AnalyzePage } from "./pages/AnalyzePage";
import { HistoryPage } from "./pages/HistoryPage";
import { KeysPage } from "./pages/KeysPage";
import { SignInPage, SignUpPage } from "./pages/AuthPages";
import { NotFoundPage } from "./pages/NotFoundPage";

// Watchlist and alerts: pages of their own, loaded when first opened (not in the initial bundle).
const WatchlistPage = lazy(() => import("./pages/WatchlistPage").then((m) => ({ default: m.WatchlistPage })));
const AlertsPage = lazy(() => import("./pages/AlertsPage").then((m) => ({ default: m.AlertsPage })));

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache(),
    defaultOptions: {
      queries: {
        // 4xx answers are final, except 429: wait as long as Retry-After says, up to 3 times; a
        // network blip or a 5xx gets two more tries.
        retry: (failures, error) =>
          error instanceof ApiError && error.status === 429
            ? failures < 3
            : !(error instanceof ApiError && error.status < 500) && failures < 2,
        retryDelay: (attempt, error) =>
          error instanceof ApiError && error.status === 429
            ? (error.retryAfterS ?? 5) * 1000
            : Math.min(1000 * 2 ** attempt, 8000),
        refetchOnWindowFocus: false,
        staleTime: 10_000,
      },
      mutations: { retry: false },
    },
  });
}

function RequireAuth({ children }: { children: ReactNode }) {
  const { signedIn } = useSession();
  const location = useLocation();
  if (!signedIn) return <Navigate to="/sign-in" replace state={{ from: location }} />;
  return <>{children}</>;
}

function Lazy({ children }: { children: ReactNode }) {
  return <Suspense fallback={<p role="status">Loading…</p>}>{children}</Suspense>;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route path="/sign-in" element={<SignInPage />} />
        <Route path="/sign-up" element={<SignUpPage />} />
        <Route path="/" element={<RequireAuth><AnalyzePage /></RequireAuth>} />
        <Route path="/analyses/:taskId" element={<RequireAuth><AnalysisPage /></RequireAuth>} />
        <Route path="/history" element={<RequireAuth><HistoryPage /></RequireAuth>} />
        <Route path="/keys" element={<RequireAuth><KeysPage /></RequireAuth>} />
        <Route path="/watchlist" element={<RequireAuth><Lazy><WatchlistPage /></Lazy></RequireAuth>} />
        <Route path="/alerts" element={<RequireAuth><Lazy><AlertsPage /></Lazy></RequireAuth>} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

export function App({ api, queryClient }: { api: MoneyGrowApi; queryClient: QueryClient }) {
  return (
    <ApiProvider api={api}>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
          <AppRoutes />
        </BrowserRouter>
      </QueryClientProvider>
    </ApiProvider>
  );
}

export type FromState = { from?: Location } | null;
