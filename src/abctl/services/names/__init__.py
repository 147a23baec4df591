"""What the admin typed, turned into the ids the store keys on: space names (and what makes a valid name for a
space, account or group) and APP arguments (an adamId or a unique app name). Unknown names fail with
NotFoundError and a did-you-mean. The lowest room: it reads the store and imports no other service.
"""
