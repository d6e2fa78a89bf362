import { Group, List, Paper, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconCircleX } from '@tabler/icons-react';
import type { TargetCheck } from '../../backend';
import { checkFor, countLabel, type ChosenTarget } from '../../lib/compose';
import { platformName } from '../../lib/posts';
import { PlatformIcon } from './PlatformIcon';

type Props = { targets: ChosenTarget[]; checks: TargetCheck[] | null; error: string | null };

/** Per chosen target: the live counters ("243 / 280", red when over) and what is wrong. */
export function TargetChecks({ targets, checks, error }: Props) {
  if (targets.length === 0)
    return (
      <Text size="sm" c="dimmed">
        Choose where to publish to see each network&apos;s limits.
      </Text>
    );
  return (
    <Stack gap="xs" data-testid="compose-checks">
      {error && (
        <Text size="sm" c="red">
          The text could not be checked: {error}
        </Text>
      )}
      {targets.map((t) => {
        const check = checkFor(checks, t);
        const report = check?.report;
        const errors = report?.issues.filter((i) => i.severity === 'error') ?? [];
        const warnings = report?.issues.filter((i) => i.severity === 'warning') ?? [];
        return (
          <Paper key={`${t.connectionId}/${t.destinationId}`} withBorder p="xs" data-testid="compose-check" data-platform={t.platform}>
            <Group justify="space-between" wrap="nowrap" gap="xs">
              <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
                <PlatformIcon platform={t.platform} />
                <Text size="sm" fw={500} truncate>
                  {t.destinationName ?? t.destinationId}
                </Text>
                {report && (
                  <ThemeIcon size="xs" variant="transparent" color={report.ok ? 'teal' : 'red'} aria-hidden>
                    {report.ok ? <IconCircleCheck /> : <IconCircleX />}
                  </ThemeIcon>
                )}
              </Group>
              <Group gap="sm" wrap="nowrap">
                {report?.counts.map((c) => {
                  const over = c.used > c.limit;
                  return (
                    <Text
                      key={`${c.field}-${c.index ?? ''}`}
                      size="xs"
                      ff="monospace"
                      c={over ? 'red' : 'dimmed'}
                      fw={over ? 700 : undefined}
                      title={`${countLabel(c)} on ${platformName(t.platform)}`}
                      data-testid="compose-count"
                      data-platform={t.platform}
                      data-field={c.field}
                      data-index={c.index ?? undefined}
                      data-over={over}
                    >
                      {c.field !== 'text' && `${countLabel(c)}: `}
                      {c.used} / {c.limit}
                    </Text>
                  );
                })}
              </Group>
            </Group>
            {(errors.length > 0 || warnings.length > 0) && (
              <List size="xs" spacing={2} mt={4} center>
                {[...errors, ...warnings].map((i, n) => (
                  <List.Item
                    key={`${i.code}-${i.index ?? ''}-${n}`}
                    icon={
                      i.severity === 'error' ? (
                        <IconCircleX size={14} color="var(--mantine-color-red-6)" />
                      ) : (
                        <IconAlertTriangle size={14} color="var(--mantine-color-yellow-6)" />
                      )
                    }
                    data-testid="compose-issue"
                    data-severity={i.severity}
                    data-code={i.code}
                    data-platform={t.platform}
                  >
                    <Text span size="xs" c={i.severity === 'error' ? 'red' : 'yellow.8'}>
                      {i.message}
                    </Text>
                  </List.Item>
                ))}
              </List>
            )}
          </Paper>
        );
      })}
    </Stack>
  );
}
