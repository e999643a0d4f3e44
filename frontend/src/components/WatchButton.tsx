import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router-dom";

import { useApi } from "../api/context";
import type { Page } from "../api/client";
import type { Chain, Watch } from "../api/types";
import { ErrorMessage } from "./ErrorMessage";
import styles from "./WatchButton.module.css";

/** The most a tier can watch (pro: 100) is one page of GET /watchlist: enough to tell "watched". */
const LOOKUP_LIMIT = 100;

/** "Watch this token" (any change), or "Watching" when it is already on the caller's watchlist. */
export function WatchButton({ chain, tokenAddress }: { chain: Chain; tokenAddress: string }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const lookup = useQuery({
    queryKey: ["watchlist", "lookup"],
    queryFn: () => api.watchlist(undefined, LOOKUP_LIMIT),
  });
  const same = (w: Pick<Watch, "chain" | "token_address">) =>
    w.chain === chain && w.token_address.toLowerCase() === tokenAddress.toLowerCase();
  const watch = useMutation({
    mutationFn: () => api.watch({ token_address: tokenAddress, chain, threshold: { kind: "any_change" } }),
    onSuccess: (added) => {
      queryClient.setQueryData<Page<Watch>>(["watchlist", "lookup"], (old) =>
        old ? { ...old, items: [added, ...old.items.filter((w) => !same(w))] } : old,
      );
      void queryClient.invalidateQueries({ queryKey: ["watchlist"] });
    },
  });

  if (watch.isSuccess || lookup.data?.items.some(same)) {
    return (
      <p className={styles.watching} role="status">
        <span className="badge">Watching</span>
        <Link to="/watchlist">Your watchlist</Link>
      </p>
    );
  }
  return (
    <div className={styles.watch}>
      <button
        type="button"
        className="button secondary small"
        onClick={() => watch.mutate()}
        // Until we know, a click could replace a threshold the user chose: wait for the list.
        disabled={watch.isPending || lookup.isPending}
      >
        {watch.isPending ? "Adding…" : "Watch this token"}
      </button>
      <ErrorMessage error={watch.error} />
    </div>
  );
}
