"""A guard against libhdf5 hanging on damaged files: the strings an attribute points to are checked first.

Every string attribute Keras and symk write is a variable-length string, stored in a global
heap collection ("GCOL"). Reading one makes libhdf5 parse the whole collection, stepping from
object to object by each object's declared size. In a damaged collection that walk can meet a
free-space object of size 0 and never advance: libhdf5 (2.0 included) then loops for ever, in
C, where Python cannot interrupt it. So before an attribute's value is read, this module
parses (in Python, from the file's bytes) the header of the object that holds it, finds the
heap IDs of its variable-length attributes, and walks each collection they point to as
libhdf5 would, refusing one whose walk would not end.

Only what can be parsed is checked: version 1 and 2 object headers with compact attribute
storage (what h5py writes by default). Attributes in dense storage (libver='latest' files with
many attributes) or in shared messages are left to libhdf5 unchecked.
"""
from __future__ import annotations

import os

import h5py

from ..errors import FileFormatError

SIGNATURE = b"\x89HDF\r\n\x1a\n"
ATTRIBUTE_MESSAGE, CONTINUATION_MESSAGE = 0x000C, 0x0010
VLEN_CLASS = 9
MAX_HEADER_CHUNKS = 64          # a continuation chain longer than this is damage (or a cycle)
MAX_CHUNK_BYTES = 1 << 24


class HeapGuard:
    """Checks, for one open file, the heap collections that attributes about to be read point to."""

    def __init__(self, path: str, h5file):
        self.path = path
        self.file = open(path, "rb")
        self.size = os.fstat(self.file.fileno()).st_size
        self.base = h5file.userblock_size
        self.offset_size, self.length_size = self._sizes()
        self.checked: set[int] = set()
        self.headers_checked: set[int] = set()

    def close(self) -> None:
        self.file.close()

    def _read(self, at: int, count: int) -> bytes:
        return os.pread(self.file.fileno(), max(0, min(count, self.size - at)), at) if 0 <= at < self.size else b""

    def _sizes(self) -> tuple[int, int]:
        head = self._read(self.base, 16)
        if head[:8] != SIGNATURE or len(head) < 16:
            return 8, 8
        return (head[13], head[14]) if head[8] in (0, 1) else (head[9], head[10])

    def _uint(self, data: bytes, at: int, size: int) -> int:
        return int.from_bytes(data[at:at + size], "little")

    # -- object headers ------------------------------------------------------------------
    def check_object(self, obj, where: str) -> None:
        """Raise FileFormatError if reading the attributes of `obj` would make libhdf5 loop."""
        address = h5py.h5o.get_info(obj.id).addr
        if address in self.headers_checked:
            return
        for attribute in self._attribute_messages(self.base + address):
            for collection in self._heap_collections(attribute):
                self._check_collection(collection, where)
        self.headers_checked.add(address)

    def _attribute_messages(self, at: int) -> list[bytes]:
        head = self._read(at, 16)
        if head[:4] == b"OHDR":
            return self._messages_v2(at)
        if len(head) < 16 or head[0] != 1:
            return []  # not a header this guard can parse: libhdf5 reports it
        chunks, found, seen = [(at + 16, self._uint(head, 8, 4))], [], 0
        while chunks and seen < MAX_HEADER_CHUNKS:
            start, length = chunks.pop(0)
            seen += 1
            data = self._read(start, min(length, MAX_CHUNK_BYTES))
            p = 0
            while p + 8 <= len(data):
                kind, size, flags = self._uint(data, p, 2), self._uint(data, p + 2, 2), data[p + 4]
                self._collect(kind, flags, data[p + 8:p + 8 + size], chunks, found, signature=b"")
                p += 8 + size
        return found

    def _messages_v2(self, at: int) -> list[bytes]:
        head = self._read(at, 64)
        flags = head[5]
        p = 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
        width = 1 << (flags & 0x03)
        first = (at + p + width, self._uint(head, p, width))
        chunks, found, seen = [first], [], 0
        while chunks and seen < MAX_HEADER_CHUNKS:
            start, length = chunks.pop(0)
            seen += 1
            data = self._read(start, min(length, MAX_CHUNK_BYTES))
            p = 4 if data[:4] == b"OCHK" else 0
            end = len(data) - (4 if p else 0)   # a continuation block ends with its checksum
            header = 6 if flags & 0x04 else 4   # type, size, flags (and creation order)
            while p + header <= end:
                kind, size, message_flags = data[p], self._uint(data, p + 1, 2), data[p + 3]
                self._collect(kind, message_flags, data[p + header:p + header + size], chunks, found, b"OCHK")
                p += header + size
        return found

    def _collect(self, kind: int, flags: int, body: bytes, chunks: list, found: list, signature: bytes) -> None:
        if kind == CONTINUATION_MESSAGE and len(body) >= self.offset_size + self.length_size:
            offset = self._uint(body, 0, self.offset_size)
            chunks.append((self.base + offset, self._uint(body, self.offset_size, self.length_size)))
        elif kind == ATTRIBUTE_MESSAGE and not flags & 0x02:  # 0x02: a shared message, stored elsewhere
            found.append(body)

    # -- attribute messages --------------------------------------------------------------
    def _heap_collections(self, body: bytes) -> set[int]:
        """Addresses of the heap collections a variable-length attribute's values live in."""
        if len(body) < 8 or body[0] not in (1, 2, 3) or body[0] > 1 and body[1] & 0x03:
            return set()  # unknown version, or a shared datatype / dataspace
        name_size, type_size, space_size = (self._uint(body, k, 2) for k in (2, 4, 6))
        pad = (lambda n: (n + 7) & ~7) if body[0] == 1 else (lambda n: n)
        p = 9 if body[0] == 3 else 8
        p += pad(name_size)
        datatype = body[p:p + type_size]
        p += pad(type_size)
        dataspace = body[p:p + space_size]
        p += pad(space_size)
        if not datatype or datatype[0] & 0x0F != VLEN_CLASS:
            return set()
        count = self._element_count(dataspace)
        element = 4 + self.offset_size + 4  # sequence length, collection address, object index
        addresses = set()
        for k in range(min(count, (len(body) - p) // element)):
            at = p + k * element
            if self._uint(body, at, 4):  # an empty string points to no heap object
                addresses.add(self._uint(body, at + 4, self.offset_size))
        return addresses

    def _element_count(self, dataspace: bytes) -> int:
        if len(dataspace) < 4:
            return 0
        version, rank = dataspace[0], dataspace[1]
        if version == 2 and dataspace[3] == 2:
            return 0  # a null dataspace holds nothing
        start = 8 if version == 1 else 4
        count = 1
        for k in range(rank):
            count *= self._uint(dataspace, start + k * self.length_size, self.length_size)
        return count

    # -- global heap collections ---------------------------------------------------------
    def _check_collection(self, address: int, where: str) -> None:
        at = self.base + address
        if at in self.checked:
            return
        head = self._read(at, 16)
        if head[:4] != b"GCOL" or len(head) < 16:
            return  # libhdf5 refuses a bad signature itself
        size = self._uint(head, 8, self.length_size)
        data = self._read(at, size)
        header = 8 + self.length_size
        p = header
        while p < len(data) and len(data) == size:
            if p + header > size:
                break  # the tail too small for an object header is free space
            index, length = self._uint(data, p, 2), self._uint(data, p + 8, self.length_size)
            step = length if index == 0 else header + ((length + 7) & ~7)
            if step == 0 or step > size - p:
                problem = ("a free-space object of size 0, so libhdf5's walk over its objects never ends"
                           if step == 0 else f"an object of declared size {length} that overruns the collection")
                raise FileFormatError(
                    f"{where}: the global heap collection at byte {at} that holds its strings is damaged: object "
                    f"#{index} at byte {at + p} has {problem}. The file is corrupt; restore it from a good copy.")
            p += step
        self.checked.add(at)

