import { Badge } from '@mantine/core';
import { stateLook } from '../../lib/posts';

export function StateBadge({ state, testId }: { state: string; testId?: string }) {
  const look = stateLook(state);
  return (
    <Badge color={look.color} variant="light" size="sm" data-testid={testId} data-state={state}>
      {look.label}
    </Badge>
  );
}
