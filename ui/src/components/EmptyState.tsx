import { Center, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import type { ReactNode } from 'react';

type Props = { icon: ReactNode; title: string; children?: ReactNode; testId?: string };

export function EmptyState({ icon, title, children, testId }: Props) {
  return (
    <Center py="xl" data-testid={testId}>
      <Stack align="center" gap="xs" maw={520} ta="center">
        <ThemeIcon size={48} radius="xl" variant="light" color="gray" aria-hidden>
          {icon}
        </ThemeIcon>
        <Title order={3}>{title}</Title>
        {children && (
          <Text c="dimmed" size="sm">
            {children}
          </Text>
        )}
      </Stack>
    </Center>
  );
}
