import type { Actor } from "@/lib/auth/actor";

/** What an admin page shows anyone else: its title and why they cannot see it. */
export function AdminOnly({ title, actor }: { title: string; actor: Pick<Actor, "name" | "role"> }) {
  return (
    <>
      <h1>{title}</h1>
      <div className="notice error" role="alert">
        <strong>Forbidden.</strong> Only admins can see this page; you are signed in as {actor.name}, a {actor.role}.
      </div>
    </>
  );
}
