/// BraidNode: what turns the execution layers into a chain a client can talk to.
///
/// A transaction enters through `NodeChain.submit`: `Admission` decodes it and checks it
/// against the head state, the `Mempool` queues it per sender (pending when its nonce
/// continues the sender's run, future when there is a gap), and the `Sequencer` thread
/// drains pending transactions into blocks, executes them with `BlockExecutor` and hands
/// the result to `ChainStore`, which advances the head that readers see.
///
/// Everything is in memory for now: the LMDB store and the submission journal come with
/// the storage layer, and `ChainStore` is the seam where they attach.
import BraidPrimitives

/// One ether in wei, for genesis allocations.
let weiPerEther = UInt256(1_000_000_000_000_000_000)
