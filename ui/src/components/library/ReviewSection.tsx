import { Badge, Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { errorMessage, useBackend, type LibReview } from '../../backend';
import { formatDateTime } from '../../lib/format';
import { reviewLook } from '../../lib/library';

type Props = { clientId: string; objectId: string; reviews: LibReview[]; onReviewed: () => void };

/** Approve, ask for changes or comment, and the marks so far (newest first). */
export function ReviewSection({ clientId, objectId, reviews, onReviewed }: Props) {
  const backend = useBackend();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const mark = async (kind: string) => {
    if (kind === 'comment' && !note.trim()) {
      setError('Write the comment first.');
      return;
    }
    setBusy(kind);
    setError(null);
    try {
      await backend.libraryReview(clientId, objectId, kind, note.trim());
      setNote('');
      onReviewed();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };

  const newestFirst = [...reviews].sort((a, b) => b.seq - a.seq);

  return (
    <Stack gap="xs" data-testid="review-section">
      <Textarea
        label="Note"
        placeholder="Optional for approvals; what should change, or your comment"
        autosize
        minRows={2}
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
        error={error}
        data-testid="review-note"
      />
      <Group gap="xs">
        <Button size="xs" color="teal" loading={busy === 'approved'} onClick={() => mark('approved')} data-testid="review-approve">
          Approve
        </Button>
        <Button size="xs" color="orange" loading={busy === 'needs_changes'} onClick={() => mark('needs_changes')} data-testid="review-needs-changes">
          Needs changes
        </Button>
        <Button size="xs" variant="default" loading={busy === 'comment'} onClick={() => mark('comment')} data-testid="review-comment">
          Comment
        </Button>
      </Group>
      {newestFirst.length === 0 ? (
        <Text size="sm" c="dimmed">
          No review marks yet.
        </Text>
      ) : (
        <Stack gap={6} data-testid="review-list">
          {newestFirst.map((r) => (
            <Stack key={r.seq} gap={0} data-testid="review-mark">
              <Group gap="xs">
                <Badge size="sm" variant="light" color={reviewLook(r.mark).color}>
                  {reviewLook(r.mark).label}
                </Badge>
                <Text size="xs" c="dimmed">
                  {r.author} · {formatDateTime(r.at)}
                </Text>
              </Group>
              {r.note && (
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                  {r.note}
                </Text>
              )}
            </Stack>
          ))}
        </Stack>
      )}
    </Stack>
  );
}
