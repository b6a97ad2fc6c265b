import type { Metadata } from "next";
import Link from "next/link";
import { requirePageActor } from "@/app/_lib/session";
import { AdminOnly } from "@/components/admin-only";
import { ListTable, PageSection } from "@/components/page-section";
import { RelativeTime } from "@/components/relative-time";
import { hasRole } from "@/lib/auth/actor";
import { listLeaseEvents, listLeases } from "@/lib/leases/list-leases";
import { BreakLeaseForm } from "./break-lease-form";

export const metadata: Metadata = { title: "Admin" };

const ACTION_WORDS = { takeover: "took over", break: "broke", deactivated: "released (deactivated)" } as const;

/** Current edit leases, which an admin can break, and who took over or broke which lease, when and why. */
export default async function AdminPage() {
  const { db, actor } = await requirePageActor();
  if (!hasRole(actor, "admin")) {
    return <AdminOnly title="Admin" actor={actor} />;
  }
  const [leases, events] = await Promise.all([listLeases(db), listLeaseEvents(db, { limit: 50 })]);
  return (
    <div className="stack">
      <h1>Admin</h1>
      <p>
        <Link href="/admin/collections">Collections setup</Link>: create collections and edit their fields.
      </p>
      <PageSection id="leases-title" title="Edit leases">
        {leases.length === 0 ? (
          <p className="muted">Nobody is editing a record under a lease right now.</p>
        ) : (
          <ListTable
            labelledBy="leases-title"
            columns={["Record", "Collection", "Holder", "Since", "Last heartbeat", "Expires", "Break"]}
          >
            {leases.map((lease) => (
              <tr key={lease.recordId}>
                <td>
                  {lease.record.deleted ? (
                    <span>{lease.record.title} (deleted)</span>
                  ) : (
                    <Link href={`/records/${lease.recordId}`}>{lease.record.title}</Link>
                  )}
                </td>
                <td>
                  <Link href={`/collections/${lease.collection.slug}`}>{lease.collection.name}</Link>
                </td>
                <td>{lease.holder.name}</td>
                <td>
                  <RelativeTime iso={lease.acquiredAt} />
                </td>
                <td>
                  <RelativeTime iso={lease.renewedAt} />
                </td>
                <td>
                  {lease.expired ? (
                    <strong>
                      expired <RelativeTime iso={lease.expiresAt} />
                    </strong>
                  ) : (
                    <RelativeTime iso={lease.expiresAt} />
                  )}
                </td>
                <td>
                  <BreakLeaseForm
                    recordId={lease.recordId}
                    recordTitle={lease.record.title}
                    holderName={lease.holder.name}
                  />
                </td>
              </tr>
            ))}
          </ListTable>
        )}
      </PageSection>

      <PageSection id="lease-events-title" title="Take-overs and breaks">
        {events.length === 0 ? (
          <p className="muted">No lease has been taken over or broken yet.</p>
        ) : (
          <ListTable labelledBy="lease-events-title" columns={["When", "Who", "What", "Whose lease", "Record", "Why"]}>
            {events.map((event) => (
              <tr key={event.id}>
                <td>
                  <RelativeTime iso={event.at} />
                </td>
                <td>{event.actor.name}</td>
                <td>{ACTION_WORDS[event.action]}</td>
                <td>{event.previousHolder?.name ?? "—"}</td>
                <td>
                  <Link href={`/records/${event.recordId}`}>{event.recordTitle}</Link>{" "}
                  <span className="muted small">({event.collection.name})</span>
                </td>
                <td>{event.reason ?? <span className="muted">no reason given</span>}</td>
              </tr>
            ))}
          </ListTable>
        )}
      </PageSection>
    </div>
  );
}
