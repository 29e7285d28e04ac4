/// Merkle-Patricia trie roots for state, storage, transactions and receipts.
