import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App, makeQueryClient } from "./App";
import { MoneyGrowApi } from "./api/client";
import { loadConfig } from "./config";
import "./styles.css";

void loadConfig().then((config) => {
  const api = new MoneyGrowApi(config.apiUrl);
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <App api={api} queryClient={makeQueryClient()} />
    </StrictMode>,
  );
});
