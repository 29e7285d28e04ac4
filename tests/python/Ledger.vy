# pragma version ~=0.4.3
# A small token for the web3.py test: a storage map, plain storage words, an event with
# indexed topics, and a view function, so the test can check logs, eth_getStorageAt and
# eth_call against what the transactions did.

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    amount: uint256

owner: public(address)
totalSupply: public(uint256)
balanceOf: public(HashMap[address, uint256])
transfers: public(uint256)


@deploy
def __init__(supply: uint256):
    self.owner = msg.sender
    self.totalSupply = supply
    self.balanceOf[msg.sender] = supply
    log Transfer(sender=empty(address), receiver=msg.sender, amount=supply)


@external
def transfer(receiver: address, amount: uint256) -> bool:
    assert self.balanceOf[msg.sender] >= amount, "insufficient balance"
    self.balanceOf[msg.sender] -= amount
    self.balanceOf[receiver] += amount
    self.transfers += 1
    log Transfer(sender=msg.sender, receiver=receiver, amount=amount)
    return True


@view
@external
def balancesOf(a: address, b: address) -> (uint256, uint256):
    return self.balanceOf[a], self.balanceOf[b]
