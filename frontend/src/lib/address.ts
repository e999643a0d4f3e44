import type { Chain } from "../api/types";
import { toChecksumAddress } from "./keccak";

export const CHAINS: { value: Chain; label: string }[] = [
  { value: "ethereum", label: "Ethereum" },
  { value: "bsc", label: "BNB Smart Chain" },
  { value: "polygon", label: "Polygon" },
];

/** Why this is not a token contract address we can send, or null when it looks right. */
export function addressProblem(input: string): string | null {
  const value = input.trim();
  if (value === "") return "Paste the token's contract address.";
  if (!value.startsWith("0x")) return "A contract address starts with 0x.";
  if (!/^0x[0-9a-fA-F]*$/.test(value)) return "An address holds only the digits 0-9 and the letters a-f after 0x.";
  if (value.length !== 42) return `An address is 0x followed by 40 characters; this one has ${value.length - 2}.`;
  if (/^0x0{40}$/.test(value)) return "That is the zero address, not a token.";
  const digits = value.slice(2);
  const mixedCase = digits !== digits.toLowerCase() && digits !== digits.toUpperCase();
  if (mixedCase && toChecksumAddress(value) !== value) {
    return "The capital letters do not match this address's checksum (EIP-55): check it for a typo.";
  }
  return null;
}

export function shortAddress(address: string): string {
  return address.length > 14 ? `${address.slice(0, 8)}…${address.slice(-6)}` : address;
}
