import { Link } from "react-router-dom";
import { useTitle } from "../lib/useTitle";

export function NotFoundPage() {
  useTitle("Page not found");
  return (
    <div className="card narrow stack">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/">Analyse a token</Link> or open your{" "}
        <Link to="/history">history</Link>.
      </p>
    </div>
  );
}
