import type { NextConfig } from "next";
import { API_CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from "./lib/http/security-headers";

const appOrigin = process.env.APP_ORIGIN?.trim();

const nextConfig: NextConfig = {
  // PGlite loads its WASM and data files from its own package folder at run time;
  // bundling it breaks those paths (every request would answer 500).
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2", "postgres"],
  poweredByHeader: false,
  reactStrictMode: true,
  // Behind a proxy that rewrites Host, server actions come from APP_ORIGIN (proxy.ts refuses others).
  ...(appOrigin && URL.canParse(appOrigin)
    ? { experimental: { serverActions: { allowedOrigins: [new URL(appOrigin).host] } } }
    : {}),
  async headers() {
    return [
      { source: "/:path*", headers: SECURITY_HEADERS },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: API_CONTENT_SECURITY_POLICY }] },
    ];
  },
};

export default nextConfig;
