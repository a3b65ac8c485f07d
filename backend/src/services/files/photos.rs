//! Photos as PropLink keeps them: the type read from the content, never the name, and the
//! personal metadata removed — EXIF (GPS position, camera serial, time), XMP, IPTC, comments,
//! and the extra pictures some phones append — with only the orientation kept, so the photo
//! still shows the right way up.
//!
//! The pixels are left as they are: no re-encoding, so no loss of quality and no cost.

use bytes::Bytes;
use exif::{Field, In, Reader, Tag, Value};
use img_parts::jpeg::{Jpeg, markers};
use img_parts::png::Png;
use img_parts::webp::WebP;
use img_parts::{ImageEXIF, ImageICC};

/// The photo formats accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoType {
    Jpeg,
    Png,
    WebP,
}

impl PhotoType {
    #[must_use]
    pub fn content_type(self) -> &'static str {
        match self {
            PhotoType::Jpeg => "image/jpeg",
            PhotoType::Png => "image/png",
            PhotoType::WebP => "image/webp",
        }
    }

    /// The type of a photo, read from its first bytes.
    #[must_use]
    pub fn of(bytes: &[u8]) -> Option<PhotoType> {
        match bytes {
            [0xFF, 0xD8, 0xFF, ..] => Some(PhotoType::Jpeg),
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(PhotoType::Png),
            [
                b'R',
                b'I',
                b'F',
                b'F',
                _,
                _,
                _,
                _,
                b'W',
                b'E',
                b'B',
                b'P',
                ..,
            ] => Some(PhotoType::WebP),
            _ => None,
        }
    }
}

/// Why a file is not a photo PropLink keeps.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error(
        "Only JPEG, PNG and WebP photos can be uploaded. (On an iPhone, choose \"Most Compatible\" in Settings > Camera > Formats.)"
    )]
    NotAPhoto,
    #[error("The photo is damaged and cannot be read.")]
    Damaged,
}

/// `bytes` without personal metadata, and their type.
pub fn clean(bytes: &[u8]) -> Result<(PhotoType, Vec<u8>), PhotoError> {
    let kind = PhotoType::of(bytes).ok_or(PhotoError::NotAPhoto)?;
    let data = Bytes::copy_from_slice(bytes);
    let cleaned = match kind {
        PhotoType::Jpeg => clean_jpeg(data)?,
        PhotoType::Png => {
            let mut png = Png::from_bytes(data).map_err(|_| PhotoError::Damaged)?;
            let orientation = png.exif().and_then(|e| orientation(&e));
            for chunk in [*b"tEXt", *b"zTXt", *b"iTXt", *b"tIME"] {
                png.remove_chunks_by_type(chunk);
            }
            png.set_exif(orientation.map(orientation_exif));
            png.encoder().bytes().to_vec()
        }
        PhotoType::WebP => {
            let mut webp = WebP::from_bytes(data).map_err(|_| PhotoError::Damaged)?;
            let orientation = webp.exif().and_then(|e| orientation(&e));
            webp.remove_chunks_by_id(img_parts::webp::CHUNK_XMP);
            webp.set_exif(orientation.map(orientation_exif));
            webp.encoder().bytes().to_vec()
        }
    };
    Ok((kind, cleaned))
}

/// Photos one record may take at once from a form (a request, a report of finished work).
pub const MAX_PHOTOS: usize = 5;
/// The largest photo a person may send from a form: a phone's full-size picture fits well inside.
pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;

/// A photo cleaned of its metadata, with its type, ready to keep.
pub type CleanPhoto = (PhotoType, Vec<u8>);

/// A photo as sent from a form: the name the person's device gave it, and its bytes.
pub struct SentPhoto<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// Every photo cleaned, or the first reason one cannot be kept, naming it.
pub fn clean_all(sent: &[SentPhoto<'_>]) -> Result<Vec<CleanPhoto>, String> {
    if sent.len() > MAX_PHOTOS {
        return Err(format!(
            "You can add up to {MAX_PHOTOS} photos at once; you chose {}",
            sent.len()
        ));
    }
    sent.iter()
        .map(|p| {
            let name = p.name.trim();
            if p.bytes.len() > MAX_PHOTO_BYTES {
                return Err(format!(
                    "{name} is larger than {} MB: choose a smaller photo",
                    MAX_PHOTO_BYTES / (1024 * 1024)
                ));
            }
            clean(p.bytes).map_err(|e| match e {
                PhotoError::NotAPhoto => format!(
                    "{name} is not a photo. Choose JPEG, PNG or WebP pictures (on an iPhone, choose \"Most Compatible\" in Settings > Camera > Formats)."
                ),
                PhotoError::Damaged => {
                    format!("{name} is damaged and cannot be read: choose another photo")
                }
            })
        })
        .collect()
}

fn clean_jpeg(data: Bytes) -> Result<Vec<u8>, PhotoError> {
    let mut jpeg = Jpeg::from_bytes(data).map_err(|_| PhotoError::Damaged)?;
    let orientation = jpeg.exif().and_then(|e| orientation(&e));
    let icc = jpeg.icc_profile();
    // Keep what draws the picture (the JFIF header, colour profile, Adobe colour transform);
    // drop every other application segment and comment.
    jpeg.segments_mut().retain(|s| {
        let marker = s.marker();
        let application = (markers::APP0..=markers::APP15).contains(&marker);
        let kept = marker == markers::APP0 || marker == markers::APP14;
        !(marker == markers::COM || application && !kept)
    });
    jpeg.set_icc_profile(icc);
    jpeg.set_exif(orientation.map(orientation_exif));
    let mut out = jpeg.encoder().bytes().to_vec();
    // What follows the image's end marker (a phone's second picture, with its own metadata)
    // is not part of the photo.
    if let Some(end) = primary_image_end(&out) {
        out.truncate(end);
    }
    Ok(out)
}

/// The EXIF orientation (1–8), if set and not the default.
fn orientation(exif: &[u8]) -> Option<u16> {
    let exif = Reader::new().read_raw(exif.to_vec()).ok()?;
    let field = exif.get_field(Tag::Orientation, In::PRIMARY)?;
    match field.value.get_uint(0)? {
        o @ 2..=8 => u16::try_from(o).ok(),
        _ => None,
    }
}

/// An EXIF block that says only how to turn the picture.
fn orientation_exif(orientation: u16) -> Bytes {
    let field = Field {
        tag: Tag::Orientation,
        ifd_num: In::PRIMARY,
        value: Value::Short(vec![orientation]),
    };
    let mut writer = exif::experimental::Writer::new();
    writer.push_field(&field);
    let mut out = std::io::Cursor::new(Vec::new());
    match writer.write(&mut out, false) {
        Ok(()) => Bytes::from(out.into_inner()),
        // A lone short field always fits; without it the photo merely shows unturned.
        Err(_) => Bytes::new(),
    }
}

/// Where the primary image of a JPEG ends: just after the EOI marker that closes its last
/// scan. Marker segments carry their length; in entropy-coded data a 0xFF byte is always
/// followed by 0x00 or a restart marker, so the first other marker there ends the scan.
fn primary_image_end(jpeg: &[u8]) -> Option<usize> {
    let mut i = 2; // after SOI
    let mut in_scan = false;
    while i + 1 < jpeg.len() {
        if jpeg[i] != 0xFF {
            if !in_scan {
                return None;
            }
            i += 1;
            continue;
        }
        let marker = jpeg[i + 1];
        match marker {
            0x00 | 0xFF | 0xD0..=0xD7 if in_scan => i += if marker == 0xFF { 1 } else { 2 },
            0xFF => i += 1,
            0xD9 => return Some(i + 2),
            _ => {
                let length =
                    usize::from(u16::from_be_bytes([*jpeg.get(i + 2)?, *jpeg.get(i + 3)?]));
                i += 2 + length;
                in_scan = marker == 0xDA;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal JPEG: SOI, the given segments, a scan, EOI.
    fn jpeg_with(segments: &[(u8, &[u8])], trailer: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8];
        for (marker, contents) in segments {
            out.extend_from_slice(&[0xFF, *marker]);
            out.extend_from_slice(&u16::try_from(contents.len() + 2).unwrap().to_be_bytes());
            out.extend_from_slice(contents);
        }
        // A frame header and a scan with stuffed 0xFF and a restart marker in its data.
        out.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
        out.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0]);
        out.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
        out.extend_from_slice(&[0xFF, 0xD9]);
        out.extend_from_slice(trailer);
        out
    }

    fn exif_with_gps_and_orientation(orientation: u16) -> Vec<u8> {
        let fields = [
            Field {
                tag: Tag::Orientation,
                ifd_num: In::PRIMARY,
                value: Value::Short(vec![orientation]),
            },
            Field {
                tag: Tag::GPSLatitudeRef,
                ifd_num: In::PRIMARY,
                value: Value::Ascii(vec![b"N".to_vec()]),
            },
            Field {
                tag: Tag::Make,
                ifd_num: In::PRIMARY,
                value: Value::Ascii(vec![b"SecretCam".to_vec()]),
            },
        ];
        let mut w = exif::experimental::Writer::new();
        for f in &fields {
            w.push_field(f);
        }
        let mut out = std::io::Cursor::new(Vec::new());
        w.write(&mut out, false).unwrap();
        [b"Exif\0\0".as_slice(), &out.into_inner()].concat()
    }

    #[test]
    fn a_jpeg_loses_its_metadata_but_keeps_its_orientation() {
        let exif = exif_with_gps_and_orientation(6);
        let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>GPSLatitude 51.5</x:xmpmeta>";
        let original = jpeg_with(
            &[
                (markers::APP0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"),
                (markers::APP1, &exif),
                (markers::APP1, xmp),
                (markers::APP13, b"Photoshop 3.0\0IPTC by-line: Jo"),
                (markers::COM, b"taken at 12 Acacia Avenue"),
            ],
            b"\xFF\xD8 second picture with Exif GPS",
        );
        let (kind, cleaned) = clean(&original).unwrap();
        assert_eq!(kind, PhotoType::Jpeg);
        for secret in [
            &b"GPS"[..],
            b"SecretCam",
            b"Acacia",
            b"IPTC",
            b"second picture",
        ] {
            assert!(
                !cleaned.windows(secret.len()).any(|w| w == secret),
                "{} survived",
                String::from_utf8_lossy(secret)
            );
        }
        let jpeg = Jpeg::from_bytes(Bytes::from(cleaned.clone())).unwrap();
        assert_eq!(
            jpeg.exif().and_then(|e| orientation(&e)),
            Some(6),
            "orientation kept"
        );
        assert!(
            jpeg.segments().iter().any(|s| s.marker() == markers::APP0),
            "JFIF kept"
        );
        assert!(cleaned.ends_with(&[0xFF, 0xD9]));
        // The scan itself is untouched.
        assert!(
            cleaned
                .windows(7)
                .any(|w| w == [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56])
        );
    }

    #[test]
    fn an_upright_photo_keeps_no_exif_at_all() {
        let original = jpeg_with(&[(markers::APP1, &exif_with_gps_and_orientation(1))], b"");
        let (_, cleaned) = clean(&original).unwrap();
        assert!(!cleaned.windows(4).any(|w| w == b"Exif"));
    }

    #[test]
    fn only_photos_are_accepted() {
        assert_eq!(
            clean(b"<script>alert(1)</script>"),
            Err(PhotoError::NotAPhoto)
        );
        assert_eq!(clean(b"\0\0\0\x18ftypheic...."), Err(PhotoError::NotAPhoto));
        assert_eq!(
            clean(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
            Err(PhotoError::Damaged)
        );
    }

    #[test]
    fn the_end_of_the_primary_image_is_found_past_stuffed_bytes() {
        let jpeg = jpeg_with(&[], b"trailing");
        let end = primary_image_end(&jpeg).unwrap();
        assert_eq!(&jpeg[end..], b"trailing");
    }
}
