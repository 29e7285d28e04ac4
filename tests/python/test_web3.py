"""web3.py against a real `braid serve --dev`: what an application written for anvil or
geth does, unchanged. Deploys Ledger.vy (compiled here with vyper), transacts from several
dev accounts signing with their private keys through eth-account, waits for receipts, and
checks logs (receipt logs and eth_getLogs), balances, storage slots and view calls against
what the transactions must have done.

Run through scripts/web3-test.sh, which installs web3 and vyper when missing, starts the
server and sets BRAID_URL.
"""

import os
import pathlib
import unittest

import vyper
from eth_account import Account
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.exceptions import ContractLogicError

URL = os.environ.get("BRAID_URL", "http://127.0.0.1:8545")
MNEMONIC = "test test test test test test test test test test test junk"
SUPPLY = 1_000_000 * 10**18
RECEIPT_TIMEOUT = 30

Account.enable_unaudited_hdwallet_features()
ACCOUNTS = [Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(10)]


def compile_ledger():
    source = (pathlib.Path(__file__).parent / "Ledger.vy").read_text()
    out = vyper.compile_code(source, output_formats=["abi", "bytecode", "layout"])
    return out["abi"], out["bytecode"], out["layout"]["storage_layout"]


def word(value):
    return value.to_bytes(32, "big")


def address_word(address):
    return bytes(12) + bytes.fromhex(address[2:])


class Web3AgainstBraid(unittest.TestCase):
    """One chain for the whole class: setUpClass makes the transactions, tests read them."""

    @classmethod
    def setUpClass(cls):
        w3 = Web3(Web3.HTTPProvider(URL, request_kwargs={"timeout": 30}))
        cls.w3 = w3
        abi, bytecode, cls.layout = compile_ledger()
        owner = ACCOUNTS[0]

        # Polling filters made before anything happens, read once everything has: how
        # web3.py watches a chain over HTTP.
        cls.first_block = w3.eth.block_number
        cls.block_filter = w3.eth.filter("latest")
        cls.pending_filter = w3.eth.filter("pending")
        cls.transfer_topic = "0x" + keccak(b"Transfer(address,address,uint256)").hex()
        cls.log_filter = w3.eth.filter({"fromBlock": "latest", "topics": [cls.transfer_topic]})
        cls.sent = []

        # Deploy: web3 fills chain id, gas (eth_estimateGas) and EIP-1559 fees itself.
        factory = w3.eth.contract(abi=abi, bytecode=bytecode)
        tx = factory.constructor(SUPPLY).build_transaction(
            {"from": owner.address, "nonce": w3.eth.get_transaction_count(owner.address)}
        )
        cls.deploy_receipt = cls.send_and_wait(owner, tx)
        cls.token = w3.eth.contract(address=cls.deploy_receipt.contractAddress, abi=abi)

        # The owner funds four holders: four transactions in flight at once from one
        # sender, consecutive nonces.
        cls.holders = ACCOUNTS[1:5]
        nonce = w3.eth.get_transaction_count(owner.address)
        hashes = []
        for k, holder in enumerate(cls.holders):
            tx = cls.token.functions.transfer(holder.address, (k + 1) * 1000).build_transaction(
                {"from": owner.address, "nonce": nonce + k}
            )
            hashes.append(cls.send(owner, tx))
        cls.funding_receipts = [cls.wait(h) for h in hashes]

        # Then each holder pays the next one 10 * (k + 1): four senders at once.
        hashes = []
        for k, holder in enumerate(cls.holders):
            receiver = cls.holders[(k + 1) % len(cls.holders)]
            tx = cls.token.functions.transfer(receiver.address, 10 * (k + 1)).build_transaction(
                {"from": holder.address, "nonce": w3.eth.get_transaction_count(holder.address)}
            )
            hashes.append(cls.send(holder, tx))
        cls.holder_receipts = [cls.wait(h) for h in hashes]

        # Plain ether payments from four other senders to one fresh address.
        cls.payee = to_checksum_address("0x" + keccak(b"braid web3 payee")[-20:].hex())
        cls.payers = ACCOUNTS[5:9]
        cls.payer_balances_before = [w3.eth.get_balance(a.address) for a in cls.payers]
        hashes = []
        for k, payer in enumerate(cls.payers):
            tx = {
                "from": payer.address,
                "to": cls.payee,
                "value": Web3.to_wei(k + 1, "ether"),
                "nonce": w3.eth.get_transaction_count(payer.address),
                "gas": 21000,
                "maxFeePerGas": w3.eth.get_block("latest").baseFeePerGas * 2 + w3.eth.max_priority_fee,
                "maxPriorityFeePerGas": w3.eth.max_priority_fee,
                "chainId": w3.eth.chain_id,
                "type": 2,
            }
            hashes.append(cls.send(payer, tx))
        cls.payment_receipts = [cls.wait(h) for h in hashes]

        cls.new_blocks = cls.block_filter.get_new_entries()
        cls.new_pending = cls.pending_filter.get_new_entries()
        cls.new_logs = cls.log_filter.get_new_entries()
        cls.last_block = w3.eth.block_number

    @classmethod
    def send(cls, account, tx):
        signed = account.sign_transaction(tx)
        tx_hash = cls.w3.eth.send_raw_transaction(signed.raw_transaction)
        cls.sent.append(tx_hash)
        return tx_hash

    @classmethod
    def wait(cls, tx_hash):
        return cls.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT, poll_latency=0.05)

    @classmethod
    def send_and_wait(cls, account, tx):
        return cls.wait(cls.send(account, tx))

    def expected_token_balances(self):
        """What the transfers must have left: funding k+1 thousand, then a ring of payments."""
        n = len(self.holders)
        balances = {h.address: (k + 1) * 1000 for k, h in enumerate(self.holders)}
        for k, h in enumerate(self.holders):
            balances[h.address] -= 10 * (k + 1)
            balances[self.holders[(k + 1) % n].address] += 10 * (k + 1)
        return balances

    def test_chain_serves_the_dev_accounts(self):
        self.assertEqual(self.w3.eth.chain_id, 1337)
        self.assertEqual(self.w3.eth.accounts, [a.address for a in ACCOUNTS])

    def test_every_transaction_succeeded_in_a_block(self):
        receipts = [self.deploy_receipt] + self.funding_receipts + self.holder_receipts + self.payment_receipts
        for r in receipts:
            self.assertEqual(r.status, 1, r.transactionHash.hex())
            self.assertGreater(r.blockNumber, 0)
            block = self.w3.eth.get_block(r.blockNumber)
            self.assertIn(r.transactionHash, block.transactions)
            tx = self.w3.eth.get_transaction(r.transactionHash)
            self.assertEqual(tx.blockNumber, r.blockNumber)
        self.assertIsNotNone(self.deploy_receipt.contractAddress)
        self.assertGreater(len(self.w3.eth.get_code(self.token.address)), 0)

    def test_receipt_logs_decode_to_the_transfers(self):
        events = self.token.events.Transfer().process_receipt(self.deploy_receipt)
        self.assertEqual(len(events), 1)
        self.assertEqual(events[0].args.sender, "0x" + "00" * 20)
        self.assertEqual(events[0].args.receiver, ACCOUNTS[0].address)
        self.assertEqual(events[0].args.amount, SUPPLY)
        for k, r in enumerate(self.holder_receipts):
            (event,) = self.token.events.Transfer().process_receipt(r)
            self.assertEqual(event.args.sender, self.holders[k].address)
            self.assertEqual(event.args.receiver, self.holders[(k + 1) % len(self.holders)].address)
            self.assertEqual(event.args.amount, 10 * (k + 1))
            self.assertEqual(event.address, self.token.address)

    def test_get_logs_finds_every_transfer_and_filters_by_topic(self):
        latest = self.w3.eth.block_number
        logs = self.token.events.Transfer().get_logs(from_block=0, to_block=latest)
        self.assertEqual(len(logs), 1 + 2 * len(self.holders))
        self.assertEqual(sum(1 for log in logs if log.args.sender == ACCOUNTS[0].address), len(self.holders))
        # Raw eth_getLogs with a topic filter on the indexed receiver.
        receiver = self.holders[0].address
        topic0 = "0x" + keccak(b"Transfer(address,address,uint256)").hex()
        raw = self.w3.eth.get_logs(
            {
                "fromBlock": 0,
                "toBlock": "latest",
                "address": self.token.address,
                "topics": [topic0, None, "0x" + address_word(receiver).hex()],
            }
        )
        # holders[0] received its funding and the ring payment from the last holder.
        self.assertEqual(len(raw), 2)
        for entry in raw:
            self.assertEqual(entry["topics"][2], address_word(receiver))

    def test_filters_saw_every_block_transaction_and_transfer(self):
        expected_blocks = [self.w3.eth.get_block(n).hash for n in range(self.first_block + 1, self.last_block + 1)]
        self.assertEqual(self.new_blocks, expected_blocks)
        self.assertTrue(set(self.sent) <= set(self.new_pending))
        self.assertEqual(len(self.new_logs), 1 + 2 * len(self.holders))
        receipts = [self.deploy_receipt] + self.funding_receipts + self.holder_receipts
        self.assertEqual(
            {(log["transactionHash"], log["logIndex"]) for log in self.new_logs},
            {(r.transactionHash, r.logs[0].logIndex) for r in receipts},
        )
        order = [(log["blockNumber"], log["logIndex"]) for log in self.new_logs]
        self.assertEqual(order, sorted(order))
        # Nothing new since, and eth_getFilterLogs still answers; an uninstalled filter is gone.
        self.assertEqual(self.log_filter.get_new_entries(), [])
        self.assertEqual(len(self.w3.eth.get_filter_logs(self.log_filter.filter_id)), 0)
        self.assertTrue(self.w3.eth.uninstall_filter(self.block_filter.filter_id))
        self.assertFalse(self.w3.eth.uninstall_filter(self.block_filter.filter_id))

    def test_get_proof_hangs_from_the_state_root(self):
        block = self.w3.eth.get_block("latest")
        slot = self.layout["totalSupply"]["slot"]
        proof = self.w3.eth.get_proof(self.token.address, [slot], block.number)
        self.assertEqual(keccak(proof.accountProof[0]), block.stateRoot)
        self.assertEqual(proof.codeHash, keccak(self.w3.eth.get_code(self.token.address)))
        self.assertEqual(proof.nonce, 1)
        (entry,) = proof.storageProof
        self.assertEqual(int.from_bytes(entry.value, "big"), SUPPLY)
        self.assertEqual(keccak(entry.proof[0]), proof.storageHash)

    def test_balances_and_view_calls(self):
        expected = self.expected_token_balances()
        for address, amount in expected.items():
            self.assertEqual(self.token.functions.balanceOf(address).call(), amount)
        a, b = self.holders[0].address, self.holders[1].address
        self.assertEqual(self.token.functions.balancesOf(a, b).call(), [expected[a], expected[b]])
        self.assertEqual(
            self.token.functions.balanceOf(ACCOUNTS[0].address).call(),
            SUPPLY - sum((k + 1) * 1000 for k in range(len(self.holders))),
        )
        self.assertEqual(self.token.functions.transfers().call(), 2 * len(self.holders))
        # A call at the deployment block sees the state as it was then.
        at_deploy = self.deploy_receipt.blockNumber
        self.assertEqual(
            self.token.functions.balanceOf(ACCOUNTS[0].address).call(block_identifier=at_deploy), SUPPLY
        )
        self.assertEqual(self.token.functions.transfers().call(block_identifier=at_deploy), 0)

    def test_ether_balances_pay_value_and_gas(self):
        self.assertEqual(
            self.w3.eth.get_balance(self.payee), Web3.to_wei(sum(range(1, len(self.payers) + 1)), "ether")
        )
        for k, (payer, receipt) in enumerate(zip(self.payers, self.payment_receipts)):
            self.assertEqual(receipt.gasUsed, 21000)
            cost = Web3.to_wei(k + 1, "ether") + receipt.gasUsed * receipt.effectiveGasPrice
            self.assertEqual(self.w3.eth.get_balance(payer.address), self.payer_balances_before[k] - cost)

    def test_storage_slots_match_the_layout(self):
        slot = {name: entry["slot"] for name, entry in self.layout.items()}
        get = lambda s: self.w3.eth.get_storage_at(self.token.address, s)
        self.assertEqual(get(slot["owner"]), address_word(ACCOUNTS[0].address))
        self.assertEqual(get(slot["totalSupply"]), word(SUPPLY))
        self.assertEqual(get(slot["transfers"]), word(2 * len(self.holders)))
        # vyper places HashMap[k] at keccak256(slot ++ k).
        for address, amount in self.expected_token_balances().items():
            key = keccak(word(slot["balanceOf"]) + address_word(address))
            self.assertEqual(get(int.from_bytes(key, "big")), word(amount))

    def test_reverting_call_reports_the_reason(self):
        poor = ACCOUNTS[9].address
        with self.assertRaises(ContractLogicError) as caught:
            self.token.functions.transfer(poor, 1).call({"from": poor})
        self.assertIn("insufficient balance", str(caught.exception))

    def test_send_transaction_signs_for_a_dev_account(self):
        # eth_sendTransaction: the node signs with the dev key, as anvil does.
        sender = ACCOUNTS[9].address
        receiver = to_checksum_address("0x" + keccak(b"braid web3 dev-signed")[-20:].hex())
        receipt = self.wait(self.w3.eth.send_transaction({"from": sender, "to": receiver, "value": 12345}))
        self.assertEqual(receipt.status, 1)
        self.assertEqual(receipt["from"], sender)
        self.assertEqual(self.w3.eth.get_balance(receiver), 12345)

    def test_nonce_too_low_is_refused(self):
        owner = ACCOUNTS[0]
        stale = {
            "from": owner.address,
            "to": owner.address,
            "value": 0,
            "nonce": 0,
            "gas": 21000,
            "maxFeePerGas": 10**10,
            "maxPriorityFeePerGas": 10**9,
            "chainId": 1337,
        }
        with self.assertRaises(Exception) as caught:
            self.send(owner, stale)
        self.assertIn("nonce too low", str(caught.exception))


if __name__ == "__main__":
    unittest.main(verbosity=2)
