"""Build test images with metadata planted in every container we know of.

Every planted value contains ``MARK-``, so a leak shows up as that byte string
in the output. Segments Pillow will not write (XMP extensions, IPTC, Ducky,
JUMBF, trailers, PNG private chunks, GIF application extensions) are spliced
in as raw bytes.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image, PngImagePlugin

MARK = b"MARK-"

# Quadrant colours of the test scene, as seen when the picture is upright.
TOP_LEFT = (220, 30, 30)
TOP_RIGHT = (30, 200, 30)
BOTTOM_LEFT = (30, 30, 220)
BOTTOM_RIGHT = (230, 220, 30)

# For each EXIF orientation, how to store an upright scene so that a viewer
# applying the orientation shows it upright again (the inverse transform).
STORE_FOR_ORIENTATION: dict[int, Image.Transpose | None] = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def scene(size: tuple[int, int] = (96, 64)) -> Image.Image:
    """An upright picture whose four quadrants have different colours."""
    width, height = size
    image = Image.new("RGB", size)
    half_w, half_h = width // 2, height // 2
    image.paste(TOP_LEFT, (0, 0, half_w, half_h))
    image.paste(TOP_RIGHT, (half_w, 0, width, half_h))
    image.paste(BOTTOM_LEFT, (0, half_h, half_w, height))
    image.paste(BOTTOM_RIGHT, (half_w, half_h, width, height))
    return image


def stored_for(orientation: int, size: tuple[int, int] = (96, 64)) -> Image.Image:
    """The scene as a camera would store it for ``orientation``."""
    method = STORE_FOR_ORIENTATION[orientation]
    upright = scene(size)
    return upright if method is None else upright.transpose(method)


def pixel(image: Image.Image, point: tuple[int, int]) -> tuple[int, ...]:
    """The RGB colour at ``point``."""
    value = image.convert("RGB").getpixel(point)
    assert isinstance(value, tuple)
    return tuple(int(channel) for channel in value)


def quadrants(image: Image.Image) -> tuple[tuple[int, ...], ...]:
    """The colour at the centre of each quadrant: TL, TR, BL, BR."""
    width, height = image.size
    points = [(width // 4, height // 4), (3 * width // 4, height // 4)]
    points += [(width // 4, 3 * height // 4), (3 * width // 4, 3 * height // 4)]
    return tuple(pixel(image, point) for point in points)


def close(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


# --- EXIF -------------------------------------------------------------------


def exif_block(orientation: int | None = 1, thumbnail: bool = True) -> bytes:
    """A full camera EXIF block (with ``Exif\\0\\0``), GPS, serials, XP tags."""
    exif = Image.Exif()
    exif[0x010F] = "MARK-MAKE"
    exif[0x0110] = "MARK-MODEL"
    exif[0x010E] = "MARK-DESCRIPTION"
    exif[0x013B] = "MARK-ARTIST"
    exif[0x8298] = "MARK-COPYRIGHT"
    exif[0x0131] = "MARK-SOFTWARE"
    exif[0x0132] = "2024:06:14 10:30:00"
    exif[0x9C9B] = "MARK-XPTITLE".encode("utf-16-le")
    exif[0x9C9D] = "MARK-XPAUTHOR".encode("utf-16-le")
    exif[0x9C9C] = "MARK-XPCOMMENT".encode("utf-16-le")
    if orientation is not None:
        exif[0x0112] = orientation
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = "2024:06:14 10:30:00"
    sub[0xA431] = "MARK-SERIAL-123456"
    sub[0xA430] = "MARK-OWNER"
    sub[0xA435] = "MARK-LENS-SERIAL"
    sub[0x927C] = b"MARK-MAKERNOTE" + bytes(range(32))
    sub[0x9286] = b"ASCII\x00\x00\x00MARK-USERCOMMENT"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 2.52)
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 28.56)
    gps[0x1B] = b"ASCII\x00\x00\x00MARK-GPS-PROCESSING"
    block = exif.tobytes()
    if thumbnail:
        block = _with_thumbnail(block, thumbnail_jpeg())
    return block


def thumbnail_jpeg() -> bytes:
    """A small, different picture (magenta) such as cameras embed."""
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (255, 0, 255)).save(
        buffer, "JPEG", comment=b"MARK-THUMBNAIL-COMMENT"
    )
    return buffer.getvalue()


def _with_thumbnail(block: bytes, thumbnail: bytes) -> bytes:
    """Append an IFD1 holding a JPEG thumbnail to a Pillow-written EXIF block."""
    header, tiff = block[:6], bytearray(block[6:])
    endian = "<" if tiff[:2] == b"II" else ">"
    (ifd0,) = struct.unpack_from(endian + "I", tiff, 4)
    (count,) = struct.unpack_from(endian + "H", tiff, ifd0)
    next_pointer = ifd0 + 2 + 12 * count
    ifd1 = len(tiff) + (len(tiff) % 2)
    tiff.extend(b"\x00" * (ifd1 - len(tiff)))
    struct.pack_into(endian + "I", tiff, next_pointer, ifd1)
    data_offset = ifd1 + 2 + 12 * 3 + 4
    entries = [(0x0103, 3, 1, 6), (0x0201, 4, 1, data_offset)]
    entries.append((0x0202, 4, 1, len(thumbnail)))
    tiff.extend(struct.pack(endian + "H", len(entries)))
    for tag, kind, number, value in entries:
        packed = struct.pack(endian + ("H" if kind == 3 else "I"), value)
        tiff.extend(struct.pack(endian + "HHI", tag, kind, number))
        tiff.extend(packed.ljust(4, b"\x00"))
    tiff.extend(b"\x00\x00\x00\x00")
    tiff.extend(thumbnail)
    return header + bytes(tiff)


def xmp_packet(orientation: int | None = None) -> bytes:
    turn = f' tiff:Orientation="{orientation}"' if orientation else ""
    return (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:tiff="http://ns.adobe.com/tiff/1.0/" '
        'xmlns:exif="http://ns.adobe.com/exif/1.0/" '
        'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"'
        f'{turn} exif:GPSLatitude="51,30.042N" '
        'Iptc4xmpExt:PersonInImage="MARK-XMP-PERSON"/>'
        '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


# --- ICC --------------------------------------------------------------------


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz_tag(xyz: tuple[float, float, float]) -> bytes:
    return b"XYZ \x00\x00\x00\x00" + b"".join(_s15(v) for v in xyz)


def _desc_tag(text: str) -> bytes:
    ascii_text = text.encode() + b"\x00"
    body = b"desc\x00\x00\x00\x00" + struct.pack(">I", len(ascii_text)) + ascii_text
    return body + b"\x00" * 8 + b"\x00\x00\x00" + b"\x00" * 67


def _text_tag(text: str) -> bytes:
    return b"text\x00\x00\x00\x00" + text.encode() + b"\x00"


def _gamma_tag(gamma: float) -> bytes:
    return b"curv\x00\x00\x00\x00" + struct.pack(">IH", 1, round(gamma * 256))


def _matmul(a: list[list[float]], b: list[list[float]]) -> list[list[float]]:
    return [
        [sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)] for i in range(3)
    ]


def _inverse(m: list[list[float]]) -> list[list[float]]:
    (a, b, c), (d, e, f), (g, h, i) = m
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    cof = [
        [e * i - f * h, c * h - b * i, b * f - c * e],
        [f * g - d * i, a * i - c * g, c * d - a * f],
        [d * h - e * g, b * g - a * h, a * e - b * d],
    ]
    return [[value / det for value in row] for row in cof]


def rgb_to_xyz(
    primaries: list[tuple[float, float]], white: tuple[float, float]
) -> list[list[float]]:
    """The RGB -> XYZ matrix of a colour space given by its xy chromaticities."""
    columns = [[x / y, 1.0, (1 - x - y) / y] for x, y in primaries]
    m = [[columns[j][i] for j in range(3)] for i in range(3)]
    wx, wy = white
    white_xyz = [wx / wy, 1.0, (1 - wx - wy) / wy]
    inv = _inverse(m)
    scale = [sum(inv[i][k] * white_xyz[k] for k in range(3)) for i in range(3)]
    return [[m[i][j] * scale[j] for j in range(3)] for i in range(3)]


D65 = (0.3127, 0.3290)
P3_PRIMARIES = [(0.680, 0.320), (0.265, 0.690), (0.150, 0.060)]
SRGB_PRIMARIES = [(0.640, 0.330), (0.300, 0.600), (0.150, 0.060)]
_BRADFORD = [
    [0.8951, 0.2664, -0.1614],
    [-0.7502, 1.7135, 0.0367],
    [0.0389, -0.0685, 1.0296],
]


def _d65_to_d50() -> list[list[float]]:
    source = [
        sum(_BRADFORD[i][k] * v for k, v in enumerate((0.95047, 1.0, 1.08883)))
        for i in range(3)
    ]
    target = [
        sum(_BRADFORD[i][k] * v for k, v in enumerate((0.96422, 1.0, 0.82521)))
        for i in range(3)
    ]
    diag = [
        [target[i] / source[i] if i == j else 0.0 for j in range(3)] for i in range(3)
    ]
    return _matmul(_inverse(_BRADFORD), _matmul(diag, _BRADFORD))


def display_p3_profile(description: str = "MARK-ICC-Display P3") -> bytes:
    """A matrix/TRC ICC v2 profile with Display P3 primaries and gamma 2.2."""
    matrix = _matmul(_d65_to_d50(), rgb_to_xyz(P3_PRIMARIES, D65))
    tags = [
        (b"desc", _desc_tag(description)),
        (b"cprt", _text_tag("MARK-ICC-COPYRIGHT")),
        (b"wtpt", _xyz_tag((0.96422, 1.0, 0.82521))),
        (b"rXYZ", _xyz_tag((matrix[0][0], matrix[1][0], matrix[2][0]))),
        (b"gXYZ", _xyz_tag((matrix[0][1], matrix[1][1], matrix[2][1]))),
        (b"bXYZ", _xyz_tag((matrix[0][2], matrix[1][2], matrix[2][2]))),
        (b"rTRC", _gamma_tag(2.2)),
        (b"gTRC", _gamma_tag(2.2)),
        (b"bTRC", _gamma_tag(2.2)),
    ]
    return _assemble_profile(tags)


def _assemble_profile(tags: list[tuple[bytes, bytes]]) -> bytes:
    table_size = 4 + 12 * len(tags)
    offset = 128 + table_size
    table, data = struct.pack(">I", len(tags)), b""
    for signature, body in tags:
        padded = body + b"\x00" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += padded
    size = 128 + table_size + len(data)
    header = struct.pack(">I", size) + b"lcms" + b"\x02\x10\x00\x00"
    header += b"mntrRGB XYZ " + b"\x00" * 12 + b"acsp" + b"APPL" + b"\x00" * 4
    header += b"\x00" * 8 + b"\x00" * 8 + b"\x00\x00\x00\x00"
    header += _s15(0.96422) + _s15(1.0) + _s15(0.82521) + b"lcms"
    header = header.ljust(128, b"\x00")
    return header + table + data


def p3_to_srgb(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """What a P3 (gamma 2.2) colour should become in sRGB, computed by hand."""
    to_xyz = rgb_to_xyz(P3_PRIMARIES, D65)
    from_xyz = _inverse(rgb_to_xyz(SRGB_PRIMARIES, D65))
    convert = _matmul(from_xyz, to_xyz)
    linear = [(v / 255) ** 2.2 for v in rgb]
    out = [sum(convert[i][k] * linear[k] for k in range(3)) for i in range(3)]
    return tuple(round(255 * _srgb_encode(min(1.0, max(0.0, v)))) for v in out)  # type: ignore[return-value]


def _srgb_encode(v: float) -> float:
    return 12.92 * v if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055


# --- JPEG -------------------------------------------------------------------


def segment(marker: int, payload: bytes) -> bytes:
    return b"\xff" + bytes([marker]) + struct.pack(">H", len(payload) + 2) + payload


def iptc_app13() -> bytes:
    """A Photoshop APP13 with an IPTC record and a Photoshop thumbnail."""
    iptc = b""
    for dataset, value in ((25, b"MARK-IPTC-KEYWORD"), (80, b"MARK-IPTC-BYLINE")):
        iptc += b"\x1c\x02" + bytes([dataset]) + struct.pack(">H", len(value)) + value
    resources = _photoshop_resource(0x0404, iptc)
    resources += _photoshop_resource(0x040C, b"MARK-PS-THUMBNAIL" + thumbnail_jpeg())
    return segment(0xED, b"Photoshop 3.0\x00" + resources)


def _photoshop_resource(kind: int, data: bytes) -> bytes:
    body = (
        b"8BIM" + struct.pack(">H", kind) + b"\x00\x00" + struct.pack(">I", len(data))
    )
    return body + data + (b"\x00" if len(data) % 2 else b"")


def extra_jpeg_segments() -> bytes:
    """XMP, Extended XMP, IPTC, comment, Ducky and JUMBF segments."""
    guid = b"0123456789ABCDEF0123456789ABCDEF"
    extension = b"<x:xmpmeta>MARK-EXTENDED-XMP</x:xmpmeta>"
    jumbf = _jumbf()
    return b"".join(
        [
            segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + xmp_packet()),
            segment(
                0xE1,
                b"http://ns.adobe.com/xmp/extension/\x00"
                + guid
                + struct.pack(">II", len(extension), 0)
                + extension,
            ),
            iptc_app13(),
            segment(0xFE, b"MARK-COMMENT pupil names here"),
            segment(0xEC, _ducky()),
            segment(0xEB, b"JP\x00\x00\x00\x00\x00\x01" + jumbf),
            segment(0xE5, b"MARK-UNKNOWN-APP5"),
        ]
    )


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def _jumbf() -> bytes:
    """A C2PA-style JUMBF superbox: description box plus a JSON content box."""
    c2pa_uuid = b"c2pa\x00\x11\x00\x10\x80\x00\x00\xaa\x00\x38\x9b\x71"
    description = _box(b"jumd", c2pa_uuid + b"\x03" + b"c2pa\x00")
    content = _box(b"json", b'{"claim": "MARK-C2PA"}')
    return _box(b"jumb", description + content)


def _ducky() -> bytes:
    """A Photoshop "Save for Web" APP12: quality, then a UTF-16 comment."""
    text = "MARK-DUCKY".encode("utf-16-be")
    comment = struct.pack(">I", len(text) // 2) + text
    quality = b"\x00\x01\x00\x04\x00\x00\x00\x50"
    return (
        b"Ducky"
        + quality
        + b"\x00\x02"
        + struct.pack(">H", len(comment))
        + comment
        + b"\x00\x00"
    )


def splice_after_soi(jpeg: bytes, extra: bytes) -> bytes:
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + extra + jpeg[2:]


def planted_jpeg(
    path: Path,
    image: Image.Image | None = None,
    *,
    orientation: int | None = 1,
    icc: bytes | None = None,
    progressive: bool = False,
    trailer: bool = True,
) -> Path:
    """A JPEG with metadata in every segment type we know of."""
    image = scene() if image is None else image
    buffer = io.BytesIO()
    options: dict[str, object] = {"exif": exif_block(orientation), "quality": 95}
    if icc is not None:
        options["icc_profile"] = icc
    image.save(buffer, "JPEG", progressive=progressive, **options)
    data = splice_after_soi(buffer.getvalue(), extra_jpeg_segments())
    if trailer:
        data += b"\x00\x00\x00\x18ftypmp42" + b"MARK-MOTION-PHOTO-VIDEO" * 20
    path.write_bytes(data)
    return path


def planted_mpo(path: Path) -> Path:
    """An MPO whose second picture (solid magenta) must never come out."""
    first = scene()
    second = Image.new("RGB", first.size, (255, 0, 255))
    first.save(
        path,
        "MPO",
        save_all=True,
        append_images=[second],
        exif=exif_block(1, thumbnail=False),
    )
    return path


# --- PNG --------------------------------------------------------------------


def png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def planted_png(path: Path, image: Image.Image | None = None) -> Path:
    """A PNG with tEXt, zTXt, iTXt, XMP, eXIf, iCCP, private chunks, trailer."""
    image = scene() if image is None else image
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "MARK-PNG-TEXT")
    info.add_text("Comment", "MARK-PNG-ZTXT " * 20, zip=True)
    info.add_itxt("Description", "MARK-PNG-ITXT", lang="en", tkey="Description")
    info.add_itxt("XML:com.adobe.xmp", xmp_packet().decode())
    buffer = io.BytesIO()
    image.save(
        buffer,
        "PNG",
        pnginfo=info,
        exif=exif_block(1, thumbnail=False),
        icc_profile=display_p3_profile(),
    )
    data = buffer.getvalue()
    iend = data.rindex(b"IEND") - 4
    private = png_chunk(b"prVt", b"MARK-PNG-PRIVATE")
    late_text = png_chunk(b"tEXt", b"Location\x00MARK-PNG-LATE-TEXT")
    data = data[:iend] + private + late_text + data[iend:] + b"MARK-PNG-TRAILER"
    path.write_bytes(data)
    return path


# --- WebP, GIF, HEIF, AVIF --------------------------------------------------


def planted_webp(
    path: Path, image: Image.Image | None = None, orientation: int = 1
) -> Path:
    image = scene() if image is None else image
    image.save(
        path,
        "WEBP",
        exif=exif_block(orientation, thumbnail=False),
        xmp=xmp_packet(),
        icc_profile=display_p3_profile(),
        quality=95,
    )
    return path


def planted_gif(path: Path, image: Image.Image | None = None) -> Path:
    """A still GIF with a comment and an XMP application extension."""
    image = scene() if image is None else image
    buffer = io.BytesIO()
    image.save(buffer, "GIF", comment=b"MARK-GIF-COMMENT")
    data = buffer.getvalue()
    flags = data[10]
    table = 3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0
    insert_at = 13 + table
    xmp = xmp_packet()
    blocks = b"".join(
        bytes([len(xmp[i : i + 255])]) + xmp[i : i + 255]
        for i in range(0, len(xmp), 255)
    )
    extension = b"\x21\xff\x0bXMP DataXMP" + blocks + b"\x00"
    path.write_bytes(data[:insert_at] + extension + data[insert_at:])
    return path


def planted_heic(
    path: Path, image: Image.Image | None = None, orientation: int = 1
) -> Path:
    import pillow_heif

    image = scene() if image is None else image
    heif = pillow_heif.from_pillow(image)
    heif.save(
        path,
        quality=95,
        exif=exif_block(orientation, thumbnail=False),
        xmp=xmp_packet(),
    )
    return path


def planted_avif(
    path: Path, image: Image.Image | None = None, orientation: int = 1
) -> Path:
    image = scene() if image is None else image
    image.save(
        path,
        "AVIF",
        quality=95,
        exif=exif_block(orientation, thumbnail=False),
        xmp=xmp_packet(),
        icc_profile=display_p3_profile(),
    )
    return path
