import { useState } from "react";

interface TokenFormProps {
  token: string;
  onChange: (token: string) => void;
}

/** Where an operator pastes the API token when the deployment requires one; kept for this browser tab only. */
export function TokenForm({ token, onChange }: TokenFormProps) {
  const [draft, setDraft] = useState(token);
  return (
    <form
      className="token-form"
      onSubmit={(event) => {
        event.preventDefault();
        onChange(draft.trim());
      }}
    >
      <label htmlFor="api-token">API token</label>
      <input
        id="api-token"
        type="password"
        autoComplete="off"
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
      />
      <button type="submit">Use token</button>
    </form>
  );
}
