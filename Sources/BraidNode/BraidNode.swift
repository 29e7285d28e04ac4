/// BraidNode: what turns the execution layers into a chain a client can talk to.
///
/// A transaction enters through `NodeChain.submit`: `Admission` decodes it and checks it
/// against the head state, the `Mempool` queues it per sender (pending when its nonce
/// continues the sender's run, future when there is a gap), and the `Sequencer` thread
/// drains pending transactions into blocks, executes them with `BlockExecutor` and hands
/// the result to `ChainStore`, which advances the head that readers see.
///
/// With a data directory (`NodeChain.open`) the node persists through `BraidStorage`: an
/// admitted transaction is journaled (`SubmissionJournal`, group commit) before its hash
/// is returned and before a block may take it; each block is committed in one LMDB write
/// transaction before `ChainStore` publishes it; a restart reloads the state, the recent
/// blocks and the journal. Without one (`NodeChain.init`) everything is in memory.
import BraidPrimitives

/// One ether in wei, for genesis allocations.
let weiPerEther = UInt256(1_000_000_000_000_000_000)
