#!/usr/bin/env python3
"""Exit 0 when the .NET assembly given is a ReadyToRun (precompiled) image, 1 when it is IL only.

A ReadyToRun image has a non-zero ManagedNativeHeader directory in its CLI header (ECMA-335 II.25.3.3); crossgen
points it at the READYTORUN_HEADER, whose signature is 'RTR'.
"""
import struct
import sys

data = open(sys.argv[1], "rb").read()
pe = struct.unpack_from("<I", data, 0x3C)[0]
section_count = struct.unpack_from("<H", data, pe + 6)[0]
optional_size = struct.unpack_from("<H", data, pe + 20)[0]
optional = pe + 24
pe32_plus = struct.unpack_from("<H", data, optional)[0] == 0x20B
data_directories = optional + (112 if pe32_plus else 96)
sections = optional + optional_size


def file_offset(rva):
    for i in range(section_count):
        virtual_size, virtual_address, raw_size, raw_pointer = struct.unpack_from("<IIII", data, sections + i * 40 + 8)
        if virtual_address <= rva < virtual_address + max(virtual_size, raw_size):
            return rva - virtual_address + raw_pointer
    raise SystemExit(f"{sys.argv[1]}: RVA {rva:#x} is in no section")


cli_header = file_offset(struct.unpack_from("<I", data, data_directories + 14 * 8)[0])
managed_native_rva = struct.unpack_from("<I", data, cli_header + 64)[0]
if managed_native_rva == 0:
    sys.exit(1)
signature = data[file_offset(managed_native_rva):file_offset(managed_native_rva) + 4]
sys.exit(0 if signature == b"RTR\0" else 1)
