"""Smart money from on-chain logs: who holds and trades a token, how well they trade across tokens,
who the deployer funded, and what the largest holders are doing.

- history: bounded, chunked eth_getLogs of a token's Transfer and its pair's Swap events;
- trades: swaps attributed to wallets, positions with cost and profit, sandwich patterns;
- scoring: a wallet's record across tokens -> a score (the registry job's rule, parameters inside);
- funding: wallets the deployer funded (native coin or tokens) around the launch;
- labels: the explorer name tags (MONEYGROW_DATA_DIR/wallet_labels) as registry entries.
"""
