import type { Chain } from "../api/types";
import { CHAINS } from "../lib/address";

// The token address and chain inputs (Analyze, Watchlist): the address is checked before sending,
// its problem shown in the element `problemId` names.
export function TokenFields({
  address,
  onAddress,
  onBlur,
  chain,
  onChain,
  invalid,
  problemId,
}: {
  address: string;
  onAddress: (value: string) => void;
  onBlur: () => void;
  chain: Chain;
  onChain: (value: Chain) => void;
  invalid: boolean;
  problemId: string;
}) {
  return (
    <>
      <label className="field grow">
        <span>Token contract address</span>
        <input
          name="token_address"
          inputMode="text"
          autoComplete="off"
          spellCheck={false}
          placeholder="0x…"
          className="mono"
          value={address}
          onChange={(e) => onAddress(e.target.value)}
          onBlur={onBlur}
          aria-invalid={invalid}
          aria-describedby={problemId}
        />
      </label>
      <label className="field">
        <span>Chain</span>
        <select name="chain" value={chain} onChange={(e) => onChain(e.target.value as Chain)}>
          {CHAINS.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}
