import { Badge, CloseButton, Group, Paper, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { errorMessage, useBackend, type SearchHit } from '../../backend';
import { levelLabel, snippetParts } from '../../lib/library';

const HIT_LIMIT = 20;

/** "a [match] here" with the match in <mark>. */
export function Snippet({ text }: { text: string }) {
  return (
    <>
      {snippetParts(text).map((p, i) => (p.match ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </>
  );
}

/** Full-text search over names and ad copy of the client's library. */
export function LibrarySearch({ clientId, onOpen }: { clientId: string; onOpen: (hit: SearchHit) => void }) {
  const backend = useBackend();
  const [query, setQuery] = useState('');
  const [debounced] = useDebouncedValue(query.trim(), 200);
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!debounced) {
      setHits(null);
      setError(null);
      return;
    }
    let current = true;
    backend
      .librarySearch(clientId, debounced, HIT_LIMIT)
      .then((found) => {
        if (current) {
          setHits(found);
          setError(null);
        }
      })
      .catch((e) => {
        if (current) setError(errorMessage(e));
      });
    return () => {
      current = false;
    };
  }, [backend, clientId, debounced]);

  return (
    <Stack gap={4} pos="relative">
      <TextInput
        placeholder="Search names and ad copy"
        aria-label="Search the library"
        leftSection={<IconSearch size={16} />}
        rightSection={query ? <CloseButton aria-label="Clear the search" onClick={() => setQuery('')} size="sm" /> : null}
        value={query}
        onChange={(e) => setQuery(e.currentTarget.value)}
        data-testid="library-search-input"
      />
      {error && (
        <Text size="sm" c="red">
          {error}
        </Text>
      )}
      {hits && (
        <Paper withBorder p="xs" data-testid="library-search-results" mah={320} style={{ overflow: 'auto' }}>
          {hits.length === 0 ? (
            <Text size="sm" c="dimmed">
              Nothing in the library matches “{debounced}”.
            </Text>
          ) : (
            <Stack gap={2}>
              {hits.map((hit) => (
                <UnstyledButton
                  key={hit.id}
                  data-testid="library-search-hit"
                  onClick={() => onOpen(hit)}
                  p={6}
                  style={{ borderRadius: 'var(--mantine-radius-sm)' }}
                >
                  <Group gap="xs" wrap="nowrap">
                    <Badge size="xs" variant="light" color="gray" style={{ flexShrink: 0 }}>
                      {levelLabel(hit.kind).replace(/s$/, '').toLowerCase()}
                    </Badge>
                    <Text size="sm" fw={500} truncate>
                      {hit.name}
                    </Text>
                    <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
                      {hit.platform}
                    </Text>
                  </Group>
                  <Text size="xs" c="dimmed" lineClamp={2}>
                    <Snippet text={hit.snippet} />
                  </Text>
                </UnstyledButton>
              ))}
            </Stack>
          )}
        </Paper>
      )}
    </Stack>
  );
}
