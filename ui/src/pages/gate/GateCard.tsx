import { Center, Group, Paper, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import type { ReactNode } from 'react';

/** Centered card used by every screen shown before the vault is open. */
export function GateCard({ title, children, wide }: { title: string; children: ReactNode; wide?: boolean }) {
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" radius="md" p="xl" w="100%" maw={wide ? 720 : 460}>
        <Stack>
          <Group gap="sm">
            <ThemeIcon size="lg" radius="md" variant="light" aria-hidden>
              <IconLock size={20} />
            </ThemeIcon>
            <div>
              <Text size="sm" c="dimmed" fw={600}>
                Switchboard
              </Text>
              <Title order={1} size="h3">
                {title}
              </Title>
            </div>
          </Group>
          {children}
        </Stack>
      </Paper>
    </Center>
  );
}
