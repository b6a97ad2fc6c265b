import Link from "next/link";

export default function NotFound() {
  return (
    <main>
      <div className="panel">
        <h1>Not found</h1>
        <p>There is no such page or record. It may have been deleted, or the link is mistyped.</p>
        <Link href="/">Back to the collections</Link>
      </div>
    </main>
  );
}
