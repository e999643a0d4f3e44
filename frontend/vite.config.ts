import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The production build is plain files for S3 + CloudFront (and `make dev`'s static server): no inline
// script, so the Content-Security-Policy can say script-src 'self'.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    // The lazy Recharts chunk is the largest; the initial bundle is checked by scripts/bundle-size.mjs.
    chunkSizeWarningLimit: 500,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
  },
});
