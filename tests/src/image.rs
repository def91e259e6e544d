//! [`Image`]: a decoded PNG screenshot, for tests that check what a capture shows.

use std::path::Path;

/// A decoded PNG: size, bytes per pixel, row length and the pixel rows.
pub struct Image {
    /// Width in px.
    pub width: u32,
    /// Height in px.
    pub height: u32,
    channels: usize,
    line: usize,
    data: Vec<u8>,
}

impl Image {
    /// Reads and decodes the PNG at `path` (panics on a missing or invalid file).
    pub fn read(path: &Path) -> Image {
        let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut reader = png::Decoder::new(std::io::BufReader::new(file))
            .read_info()
            .expect("a valid PNG");
        let mut data = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut data).expect("PNG data");
        Image {
            width: info.width,
            height: info.height,
            channels: info.color_type.samples(),
            line: info.line_size,
            data,
        }
    }

    /// The RGB of the pixel at (`x`, `y`).
    pub fn rgb(&self, x: u32, y: u32) -> [u8; 3] {
        let o = y as usize * self.line + x as usize * self.channels;
        [self.data[o], self.data[o + 1], self.data[o + 2]]
    }

    /// The share of pixels (0..=1) within `tolerance` of `color` on every channel.
    pub fn share_of(&self, color: [u8; 3], tolerance: u8) -> f64 {
        let mut hits = 0u64;
        for y in 0..self.height {
            for x in 0..self.width {
                let px = self.rgb(x, y);
                if px
                    .iter()
                    .zip(color)
                    .all(|(a, b)| a.abs_diff(b) <= tolerance)
                {
                    hits += 1;
                }
            }
        }
        hits as f64 / (u64::from(self.width) * u64::from(self.height)).max(1) as f64
    }
}
