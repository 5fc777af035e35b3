"""Writes the hostile-input corpus of HostileInputTests: small image and experiment files whose
headers lie (sizes that overflow, spacings and offsets that are not finite) and masks that
hold NaN or infinity. Each file is a few hundred bytes; the inputs that must be large (zlib and
gzip bombs, an oversized experiment) are made by the test at run time. Needs only the
standard library; run once from this directory:

    python3 make_hostile.py
"""
import struct


def metaimage(name, dims, element_type="MET_UCHAR", data=b"", extra=()):
    """A .mha (data inside the file) with the given DimSize and extra header lines."""
    lines = ["ObjectType = Image", f"NDims = {len(dims.split())}", "BinaryData = True",
             "BinaryDataByteOrderMSB = False", *extra, f"DimSize = {dims}",
             f"ElementType = {element_type}", "ElementDataFile = LOCAL"]
    with open(name, "wb") as f:
        f.write(("\n".join(lines) + "\n").encode() + data)


def nifti(name, dims=(4, 4, 2), pixdim=(1.0, 1.0, 1.0), vox_offset=352.0, datatype=2, bitpix=8, data=None):
    """A single-file NIfTI-1 (.nii), little-endian, with sform and qform codes 0."""
    header = bytearray(348)
    struct.pack_into("<i", header, 0, 348)
    dim = [len(dims), *dims] + [0] * (7 - len(dims))
    struct.pack_into("<8h", header, 40, *dim)
    struct.pack_into("<hh", header, 70, datatype, bitpix)
    struct.pack_into("<8f", header, 76, 1.0, *pixdim, *([1.0] * (7 - len(pixdim))))
    struct.pack_into("<fff", header, 108, vox_offset, 1.0, 0.0)
    header[123] = 2  # millimetres
    header[344:348] = b"n+1\0"
    if data is None:
        count = 1
        for d in dims:
            count *= d
        data = bytes(count * bitpix // 8)
    with open(name, "wb") as f:
        f.write(bytes(header) + bytes(4) + data)


# MetaImage: sizes whose product overflows 64 bits, a size past the voxel ceiling, a size
# whose Doubles outgrow memory, spacings that are not finite, zero or absurd, offsets that
# are negative.
metaimage("dimsize-overflow.mha", "3037000500 3037000500 1")
metaimage("dimsize-int64-max.mha", "9223372036854775807 2 1")
metaimage("dimsize-past-ceiling.mha", "2048 2048 1024")
metaimage("dimsize-1024-cubed.mha", "1024 1024 1024", element_type="MET_DOUBLE", data=bytes(16))
metaimage("spacing-nan.mha", "2 2 1", data=bytes(4), extra=["ElementSpacing = nan 1 1"])
metaimage("spacing-zero.mha", "2 2 1", data=bytes(4), extra=["ElementSpacing = 0 1 1"])
metaimage("spacing-1e308.mha", "2 2 1", data=bytes(4), extra=["ElementSpacing = 1e308 1e308 1e308"])
metaimage("compressed-size-negative.mha", "2 2 1", data=bytes(4),
          extra=["CompressedData = True", "CompressedDataSize = -5"])
with open("header-size-negative.raw", "wb") as f:
    f.write(bytes(4))
with open("header-size-negative.mhd", "w") as f:
    f.write("ObjectType = Image\nNDims = 3\nHeaderSize = -5\nDimSize = 2 2 1\n"
            "ElementType = MET_UCHAR\nElementDataFile = header-size-negative.raw\n")

# NIfTI: vox_offset NaN, infinite or past Int's range as a float, dims past the ceiling
# (32767^4 voxels), pixdim zero or NaN.
nifti("vox-offset-nan.nii", vox_offset=float("nan"))
nifti("vox-offset-inf.nii", vox_offset=float("inf"))
nifti("vox-offset-3e38.nii", vox_offset=3e38)
nifti("dim-past-ceiling.nii", dims=(32767, 32767, 32767, 32767), data=b"")
nifti("pixdim-zero.nii", pixdim=(0.0, 1.0, 1.0))
nifti("pixdim-nan.nii", pixdim=(float("nan"), 1.0, 1.0))

# Float masks for `evaluate`: one voxel NaN, one infinite, and a good reference.
good = [0.0] * 32
good[5] = good[6] = 1.0
for name, bad in (("mask-nan.nii", float("nan")), ("mask-inf.nii", float("inf")), ("mask-good.nii", 1.0)):
    values = list(good)
    values[6] = bad
    nifti(name, datatype=16, bitpix=32, data=struct.pack("<32f", *values))

# Experiments: integers past 64 bits, a name that is a path, and a "billion laughs" of nested
# aliases (10^9 strings once expanded, under 400 bytes written).
with open("epochs-past-int64.yaml", "w") as f:
    f.write("methods: [fs-lcs]\ntraining:\n  epochs: 99999999999999999999999\n")
with open("seed-past-int64.yaml", "w") as f:
    f.write("seed: 99999999999999999999\nmethods: [fs-lcs]\n")
with open("name-is-a-path.yaml", "w") as f:
    f.write("name: ../../x\nmethods: [fs-lcs]\n")
with open("billion-laughs.yaml", "w") as f:
    f.write("methods: [fs-lcs]\n")
    f.write("description: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
    previous = "a"
    for anchor in "bcdefghi":
        f.write(f"l{anchor}: &{anchor} [" + ", ".join([f"*{previous}"] * 10) + "]\n")
        previous = anchor
