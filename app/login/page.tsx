import type { Metadata } from "next";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return (
    <main className="login">
      <div className="panel stack">
        <div>
          <h1>Sign in to Tandem</h1>
          <p className="muted small">Edit shared records together — nobody&apos;s work gets lost.</p>
        </div>
        <LoginForm next={next ?? "/"} />
      </div>
    </main>
  );
}
