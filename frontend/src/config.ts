export interface AppConfig {
  /** The API's base URL, without a trailing slash ("" = this origin). */
  apiUrl: string;
}

/** The deployment says where the API is: /config.json next to index.html (written by `make dev` and by
 * the CloudFront stack's deployment), so one build runs everywhere. */
export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<AppConfig> {
  try {
    const response = await fetchImpl("/config.json", { cache: "no-store" });
    if (response.ok) {
      const body = (await response.json()) as Partial<AppConfig>;
      if (typeof body.apiUrl === "string") return { apiUrl: body.apiUrl.replace(/\/+$/, "") };
    }
  } catch {
    // fall through to the build-time default
  }
  return { apiUrl: (import.meta.env.VITE_API_URL ?? "").replace(/\/+$/, "") };
}
