"""Writes the image fixtures of DatasetsTests with independent implementations (SimpleITK for
MetaImage, nibabel for NIfTI) and records in expected.json what SimpleITK reads back from each
file: size (x first), spacing, origin and direction (ITK's LPS convention), pixel type and
values (x fastest). Run once from this directory:

    pip install SimpleITK nibabel numpy
    python3 make_fixtures.py
"""
import json
import os

import nibabel as nib
import numpy as np
import SimpleITK as sitk

SHAPE = (2, 3, 4)  # numpy order: z, y, x
SPACING = (0.6, 0.7, 3.5)
ORIGIN = (10.0, -20.5, 30.25)
# A rotation about z by 30 degrees (columns are the voxel axes).
C, S = np.cos(np.pi / 6), np.sin(np.pi / 6)
DIRECTION = (C, -S, 0.0, S, C, 0.0, 0.0, 0.0, 1.0)

TYPES = {
    "uint8": (np.uint8, 0, 255),
    "int8": (np.int8, -128, 127),
    "uint16": (np.uint16, 0, 65535),
    "int16": (np.int16, -32768, 32767),
    "uint32": (np.uint32, 0, 4294967295),
    "int32": (np.int32, -2147483648, 2147483647),
    "float32": (np.float32, None, None),
    "float64": (np.float64, None, None),
}


def values(name):
    """24 values that use each type's range: its extremes, and distinct values in between."""
    dtype, low, high = TYPES[name]
    n = int(np.prod(SHAPE))
    if low is None:
        v = (np.arange(n) - 7.0) * 0.375 + (1e-3 if name == "float64" else 0)
        v[5] = -1.5e3
        return v.astype(dtype).reshape(SHAPE)
    v = np.array([(i * 37) % 97 for i in range(n)], dtype=np.int64) + max(low, -40)
    v[0], v[1] = low, high
    return v.astype(dtype).reshape(SHAPE)


def record(expected, name, array_order_values=None):
    image = sitk.ReadImage(name)
    array = sitk.GetArrayFromImage(image) if array_order_values is None else array_order_values
    expected[name] = {
        "size": list(image.GetSize())[:3],
        "spacing": list(image.GetSpacing())[:3],
        "origin": list(image.GetOrigin())[:3],
        "direction": list(image.GetDirection()) if image.GetDimension() <= 3 else None,
        "type": str(array.dtype),
        "values": [float(x) for x in array.flatten()],
    }


def sitk_image(array, dimension=3):
    image = sitk.GetImageFromArray(array)
    image.SetSpacing(SPACING[:dimension])
    image.SetOrigin(ORIGIN[:dimension])
    if dimension == 3:
        image.SetDirection(DIRECTION)
    return image


def main():
    expected = {}
    # MetaImage: every element type as .mha (data inside the header file).
    for name in TYPES:
        path = f"meta_{name}.mha"
        sitk.WriteImage(sitk_image(values(name)), path)
        record(expected, path)
    # MetaImage with an external, zlib-compressed .zraw.
    sitk.WriteImage(sitk_image(values("int16")), "meta_compressed.mhd", useCompression=True)
    record(expected, "meta_compressed.mhd")
    # A 2D MetaImage with an external .raw.
    sitk.WriteImage(sitk_image(values("float32")[0], dimension=2), "meta_2d.mhd")
    record(expected, "meta_2d.mhd")
    # Big-endian data and the older ElementSize key, written by hand (SimpleITK writes
    # little-endian only); SimpleITK reads it back as the oracle.
    big = values("int16")
    with open("meta_msb.raw", "wb") as f:
        f.write(big.astype(">i2").tobytes())
    with open("meta_msb.mhd", "w") as f:
        f.write("ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = True\n"
                "CompressedData = False\nOffset = 1 2 3\nElementSize = 0.5 0.5 4\n"
                "DimSize = 4 3 2\nElementType = MET_SHORT\nElementDataFile = meta_msb.raw\n")
    record(expected, "meta_msb.mhd")

    # NIfTI with nibabel: an affine with the same rotation, in RAS.
    affine = np.eye(4)
    rotation = np.array(DIRECTION).reshape(3, 3)
    affine[:3, :3] = rotation @ np.diag(SPACING)
    affine[:3, 3] = ORIGIN
    for name in ["uint8", "int16", "uint16", "int32", "float32", "float64"]:
        path = f"nifti_{name}.nii.gz"
        image = nib.Nifti1Image(values(name).transpose(2, 1, 0), affine)  # nibabel is x, y, z
        image.header.set_data_dtype(TYPES[name][0])
        image.header.set_xyzt_units("mm")
        image.set_qform(affine, code=1)
        image.set_sform(affine, code=1)
        nib.save(image, path)
        record(expected, path)
    # Uncompressed .nii with scl_slope / scl_inter on int16.
    raw = values("int16")
    image = nib.Nifti1Image(raw.transpose(2, 1, 0), affine)
    image.header.set_data_dtype(np.int16)
    image.header.set_slope_inter(2.0, -5.0)
    image.set_qform(affine, code=1)
    image.set_sform(affine, code=1)
    nib.save(image, "nifti_scaled.nii")
    record(expected, "nifti_scaled.nii")  # SimpleITK applies the scaling: 2 * raw - 5
    # qform only (sform_code 0) with a left-handed frame (qfac = -1).
    flipped = affine.copy()
    flipped[:3, 2] *= -1
    image = nib.Nifti1Image(values("float32").transpose(2, 1, 0), flipped)
    image.set_qform(flipped, code=1)
    image.set_sform(None, code=0)
    nib.save(image, "nifti_qform.nii.gz")
    record(expected, "nifti_qform.nii.gz")
    # A 4D file with two channels (like the Decathlon's T2 + ADC); channel 1 = channel 0 + 1000.
    first = values("float32").transpose(2, 1, 0)
    four = np.stack([first, first + 1000], axis=-1)
    nib.save(nib.Nifti1Image(four, affine), "nifti_4d.nii.gz")
    for channel in (0, 1):
        key = f"nifti_4d.nii.gz#{channel}"
        record(expected, "nifti_4d.nii.gz", four[..., channel].transpose(2, 1, 0))
        entry = expected.pop("nifti_4d.nii.gz")
        header = nib.load("nifti_4d.nii.gz")
        entry["size"] = [int(v) for v in header.shape[:3]]
        entry["spacing"] = [float(v) for v in header.header.get_zooms()[:3]]
        entry["origin"] = entry["direction"] = None
        expected[key] = entry

    with open("expected.json", "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    main()
