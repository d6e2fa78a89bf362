import { Anchor, Badge, Group, Image, Modal, SimpleGrid, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { errorMessage, useBackend, type LibAsset, type SearchHit } from '../../backend';
import { assetUrl } from '../../lib/assetUrl';
import { levelLabel } from '../../lib/library';
import { Snippet } from '../library/LibrarySearch';

type Props = {
  opened: boolean;
  clientId: string;
  onClose: () => void;
  onPick: (asset: LibAsset) => void;
};

/** Images and videos the library holds for an ad (or campaign) found by search. */
function usableAssets(assets: LibAsset[]): LibAsset[] {
  return assets.filter((a) => a.status === 'done' && (a.kind === 'image' || (a.kind === 'video' && a.has_thumbnail)));
}

/** Search the client's library, open a hit, attach one of its images or videos. */
export function LibraryMediaPicker({ opened, clientId, onClose, onPick }: Props) {
  const backend = useBackend();
  const [query, setQuery] = useState('');
  const [debounced] = useDebouncedValue(query.trim(), 200);
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [hit, setHit] = useState<SearchHit | null>(null);
  const [assets, setAssets] = useState<LibAsset[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!debounced) {
      setHits(null);
      return;
    }
    let current = true;
    backend.librarySearch(clientId, debounced, 20).then(
      (found) => current && (setHits(found), setError(null)),
      (e) => current && setError(errorMessage(e)),
    );
    return () => {
      current = false;
    };
  }, [backend, clientId, debounced]);

  useEffect(() => {
    if (!hit) {
      setAssets(null);
      return;
    }
    let current = true;
    backend.libraryObject(clientId, hit.id).then(
      (detail) => current && (setAssets(usableAssets(detail.assets)), setError(null)),
      (e) => current && setError(errorMessage(e)),
    );
    return () => {
      current = false;
    };
  }, [backend, clientId, hit]);

  return (
    <Modal opened={opened} onClose={onClose} title="Attach from the library" size="lg">
      <Stack gap="sm">
        {hit ? (
          <Stack gap="xs">
            <Group justify="space-between">
              <Text size="sm" fw={600} truncate>
                {hit.name}
              </Text>
              <Anchor component="button" type="button" size="sm" onClick={() => setHit(null)} data-testid="compose-library-back">
                Back to the results
              </Anchor>
            </Group>
            {assets === null ? (
              <Text size="sm" c="dimmed">
                Loading…
              </Text>
            ) : assets.length === 0 ? (
              <Text size="sm" c="dimmed">
                No image or video of this {levelLabel(hit.kind).replace(/s$/, '').toLowerCase()} is in the library. Ads carry the creatives: search for
                an ad.
              </Text>
            ) : (
              <SimpleGrid cols={4} spacing="xs">
                {assets.map((a) => (
                  <UnstyledButton
                    key={a.id}
                    onClick={() => onPick(a)}
                    data-testid="compose-library-asset"
                    data-asset-id={a.id}
                    title={`Attach ${a.name}`}
                  >
                    <Stack gap={2}>
                      <Image src={assetUrl(clientId, a.id, true)} alt={a.name} h={96} fit="cover" radius="sm" />
                      <Text size="xs" truncate>
                        {a.kind === 'video' ? '▶ ' : ''}
                        {a.name}
                      </Text>
                    </Stack>
                  </UnstyledButton>
                ))}
              </SimpleGrid>
            )}
          </Stack>
        ) : (
          <>
            <TextInput
              placeholder="Search ad names and copy"
              aria-label="Search the library for media"
              leftSection={<IconSearch size={16} />}
              value={query}
              onChange={(e) => setQuery(e.currentTarget.value)}
              data-testid="compose-library-search"
              data-autofocus
            />
            {hits?.length === 0 && (
              <Text size="sm" c="dimmed">
                Nothing in the library matches “{debounced}”.
              </Text>
            )}
            <Stack gap={2}>
              {hits?.map((h) => (
                <UnstyledButton key={h.id} onClick={() => setHit(h)} p={6} data-testid="compose-library-hit" data-hit-id={h.id}>
                  <Group gap="xs" wrap="nowrap">
                    <Badge size="xs" variant="light" color="gray">
                      {levelLabel(h.kind).replace(/s$/, '').toLowerCase()}
                    </Badge>
                    <Text size="sm" fw={500} truncate>
                      {h.name}
                    </Text>
                  </Group>
                  <Text size="xs" c="dimmed" lineClamp={1}>
                    <Snippet text={h.snippet} />
                  </Text>
                </UnstyledButton>
              ))}
            </Stack>
          </>
        )}
        {error && (
          <Text size="sm" c="red">
            {error}
          </Text>
        )}
      </Stack>
    </Modal>
  );
}
