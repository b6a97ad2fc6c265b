"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { fetchFollowing, setFollowing } from "@/components/history-api";
import { queryKeys } from "@/lib/query-keys";

/** Follow / Unfollow: whether I hear about this record (I follow what I created, edited or commented on). */
export function FollowButton({ recordId, initialFollowing }: { recordId: string; initialFollowing: boolean }) {
  const queryClient = useQueryClient();
  const following = useQuery({
    queryKey: queryKeys.following(recordId),
    queryFn: () => fetchFollowing(recordId),
    initialData: { following: initialFollowing },
  });
  const [error, setError] = useState<string | null>(null);
  const toggle = async () => {
    const next = !following.data.following;
    const answer = await setFollowing(recordId, next);
    if (!answer.ok) setError(answer.body.message);
    else {
      setError(null);
      queryClient.setQueryData(queryKeys.following(recordId), { following: next });
    }
  };
  return (
    <span className="row small">
      <button type="button" aria-pressed={following.data.following} onClick={() => void toggle()}>
        {following.data.following ? "Unfollow" : "Follow"}
      </button>
      <span className="muted">
        {following.data.following
          ? "You are told when your values here are replaced."
          : "You are not told about changes here."}
      </span>
      {error ? (
        <span role="alert" className="field-error">
          {error}
        </span>
      ) : null}
    </span>
  );
}
