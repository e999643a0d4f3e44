import { useEffect } from "react";

/** The tab's title follows the screen (and screen readers announce it on navigation). */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · MoneyGrow` : "MoneyGrow";
  }, [title]);
}
