import { Button, Group, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { errorMessage, useBackend, type Workspace } from '../../backend';
import { notifyError, notifySuccess } from '../../lib/notify';
import { Section } from './Section';

export function WorkspaceSection() {
  const backend = useBackend();
  const [workspace, setWorkspace] = useState<Workspace | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    backend.getWorkspace().then(
      (w) => {
        setWorkspace(w);
        setName(w.name);
      },
      (e) => notifyError('Could not load the workspace', e),
    );
  }, [backend]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) {
      setError('The workspace needs a name.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const w = await backend.renameWorkspace(name.trim());
      setWorkspace(w);
      setName(w.name);
      notifySuccess('Workspace renamed.');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section id="workspace" title="Workspace" description="The name of your agency's workspace.">
      <form onSubmit={save} noValidate>
        <Group align="flex-start">
          <TextInput
            aria-label="Workspace name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={error}
            disabled={!workspace}
            w={320}
            data-testid="workspace-name"
          />
          <Button type="submit" loading={busy} disabled={!workspace || name.trim() === workspace.name} data-testid="workspace-save">
            Rename
          </Button>
        </Group>
      </form>
    </Section>
  );
}
