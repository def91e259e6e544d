//! `page.screenshot` over the fake host: the `captureVisibleTab` fallback (error and 8 s deadline), tiled
//! full-page capture and stitching, the settle wait after a recent load, and the ref clip.

use std::cell::RefCell;
use std::rc::Rc;

use base64::Engine as _;
use serde_json::{json, Value};

use crate::command_tests::{req, with_snapshot};
use crate::commands::screenshot::{device_pixel_ratio, stitch_png, tile_plan, TILE_DEVICE_PX};
use crate::host::HostError;

/// A `w`×`h` PNG of `color` at (x, y).
fn png_of(w: u32, h: u32, rgba: bool, color: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
    let mut data = Vec::new();
    for y in 0..h {
        for x in 0..w {
            data.extend_from_slice(&color(x, y));
            if rgba {
                data.push(255);
            }
        }
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(if rgba {
        png::ColorType::Rgba
    } else {
        png::ColorType::Rgb
    });
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header().unwrap().write_image_data(&data).unwrap();
    out
}

/// (width, height, channels, pixels) of a PNG.
fn decode(bytes: &[u8]) -> (u32, u32, usize, Vec<u8>) {
    let mut reader = png::Decoder::new(bytes).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    (info.width, info.height, info.color_type.samples(), buf)
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().expect("base64 string"))
        .expect("valid base64")
}

/// The colour of page row `y` in the fake tall page: one colour per 1 000 px band.
fn band(y: u32) -> [u8; 3] {
    [(y / 1000 * 40) as u8, 100, 200]
}

#[test]
fn a_failed_viewport_capture_falls_back_to_the_visible_tab() {
    let (mut h, sid) = with_snapshot();
    h.host.respond("Page.captureScreenshot", |_, _| {
        Err(HostError::new("Unable to capture screenshot"))
    });
    let r = req(&mut h, &sid, "a", "page.screenshot", json!({}));
    assert_eq!(
        r["payload"],
        json!({"base64":"VklT","warning":"visible_only_fallback"})
    );
    h.host
        .respond("Page.captureScreenshot", |_, _| Ok(json!({"data": ""})));
    let r = req(&mut h, &sid, "b", "page.screenshot", json!({}));
    assert_eq!(
        r["payload"]["warning"], "visible_only_fallback",
        "empty data falls back too"
    );
}

#[test]
fn a_hung_viewport_capture_falls_back_after_8_s() {
    let (mut h, sid) = with_snapshot();
    h.host
        .0
        .delays
        .borrow_mut()
        .insert("Page.captureScreenshot".into(), 60_000);
    h.rt.handle_relay_message(
        &json!({"type":"ops_request","requestId":"s","clientId":"c1","opsSessionId":sid,"leaseId":"L",
                "command":"page.screenshot","payload":{}})
        .to_string(),
    );
    h.run_for(7_900);
    assert_eq!(h.answer("s"), Value::Null);
    h.run_for(200);
    assert_eq!(
        h.answer("s")["payload"],
        json!({"base64":"VklT","warning":"visible_only_fallback"})
    );
}

#[test]
fn full_page_and_ref_captures_do_not_fall_back() {
    let (mut h, sid) = with_snapshot();
    h.host.respond("Page.captureScreenshot", |_, _| {
        Err(HostError::new("Unable to capture screenshot"))
    });
    h.host.respond("Page.getLayoutMetrics", |_, _| {
        Ok(json!({"cssContentSize":{"width":800,"height":900}}))
    });
    let r = req(
        &mut h,
        &sid,
        "a",
        "page.screenshot",
        json!({"fullPage":true}),
    );
    assert_eq!(
        (r["error"]["code"].clone(), r["error"]["message"].clone()),
        (
            json!("execution_failed"),
            json!("Unable to capture screenshot")
        )
    );
}

#[test]
fn tall_pages_are_captured_in_tiles_and_stitched() {
    let (mut h, sid) = with_snapshot();
    h.host.respond("Page.getLayoutMetrics", |_, _| {
        Ok(json!({"cssContentSize":{"width":16,"height":10000.4},"contentSize":{"width":16,"height":10000.4}}))
    });
    h.host.respond("Page.captureScreenshot", |_, p| {
        let clip = &p["clip"];
        let (y0, w, hh) = (
            clip["y"].as_f64().unwrap() as u32,
            clip["width"].as_f64().unwrap() as u32,
            clip["height"].as_f64().unwrap() as u32,
        );
        let rgba = y0 > 0;
        Ok(json!({"data": b64(&png_of(w, hh, rgba, |_, y| band(y0 + y)))}))
    });
    let r = req(
        &mut h,
        &sid,
        "a",
        "page.screenshot",
        json!({"fullPage":true}),
    );
    assert_eq!(r["payload"]["tiles"], 3, "{r}");
    let clips: Vec<Value> = h
        .host
        .params_of("Page.captureScreenshot")
        .iter()
        .map(|p| {
            assert_eq!(p["captureBeyondViewport"], true);
            p["clip"].clone()
        })
        .collect();
    assert_eq!(
        clips,
        vec![
            json!({"x":0.0,"y":0.0,"width":16.0,"height":4096.0,"scale":1}),
            json!({"x":0.0,"y":4096.0,"width":16.0,"height":4096.0,"scale":1}),
            json!({"x":0.0,"y":8192.0,"width":16.0,"height":1809.0,"scale":1}),
        ]
    );
    let (w, hh, ch, px) = decode(&unb64(&r["payload"]["base64"]));
    assert_eq!((w, hh, ch), (16, 10001, 4), "RGBA once any tile is RGBA");
    for y in [0u32, 999, 1000, 4095, 4096, 8191, 8192, 10000] {
        let o = (y as usize * w as usize + 3) * ch;
        assert_eq!(&px[o..o + 3], &band(y), "row {y}");
    }
}

#[test]
fn a_short_page_is_one_capture() {
    let (mut h, sid) = with_snapshot();
    h.host.respond("Page.getLayoutMetrics", |_, _| {
        Ok(json!({"cssContentSize":{"width":800,"height":4096}}))
    });
    let r = req(
        &mut h,
        &sid,
        "a",
        "page.screenshot",
        json!({"fullPage":true}),
    );
    assert_eq!(r["payload"], json!({"base64":"UE5H"}));
    assert_eq!(h.host.params_of("Page.captureScreenshot").len(), 1);
}

#[test]
fn a_recent_load_delays_beyond_viewport_captures() {
    let (mut h, sid) = with_snapshot();
    let times = Rc::new(RefCell::new(Vec::new()));
    let (host, seen) = (h.host.clone(), Rc::clone(&times));
    h.host.respond("Page.captureScreenshot", move |_, _| {
        seen.borrow_mut().push(host.0.now.get());
        Ok(json!({"data":"UE5H"}))
    });
    h.host.respond("Runtime.evaluate", |_, p| {
        assert!(p["expression"].as_str().unwrap().contains("loadEventEnd"));
        Ok(json!({"result":{"type":"number","value":150.0}}))
    });
    h.host.respond("Page.getLayoutMetrics", |_, _| {
        Ok(json!({"cssContentSize":{"width":800,"height":2000}}))
    });
    let start = h.host.0.now.get();
    req(
        &mut h,
        &sid,
        "a",
        "page.screenshot",
        json!({"fullPage":true}),
    );
    assert_eq!(
        *times.borrow(),
        vec![start + 350.0],
        "500 ms after the load"
    );
    h.host.respond("Runtime.evaluate", |_, _| {
        Ok(json!({"result":{"type":"number","value":5000.0}}))
    });
    let start = h.host.0.now.get();
    req(
        &mut h,
        &sid,
        "b",
        "page.screenshot",
        json!({"fullPage":true}),
    );
    assert_eq!(
        times.borrow()[1],
        start,
        "a settled page is captured at once"
    );
}

#[test]
fn a_ref_capture_clips_to_the_element_rect() {
    let (mut h, sid) = with_snapshot();
    h.host.respond("Runtime.callFunctionOn", |_, _| {
        Ok(json!({"result":{"type":"object","value":{"value":{"x":40,"y":1200.5,"width":321,"height":143}}}}))
    });
    let r = req(&mut h, &sid, "a", "page.screenshot", json!({"ref":"r1"}));
    assert_eq!(r["payload"], json!({"base64":"UE5H"}));
    assert_eq!(
        h.host.params_of("Page.captureScreenshot"),
        vec![
            json!({"format":"png","captureBeyondViewport":true,"clip":{"x":40.0,"y":1200.5,"width":321.0,"height":143.0,"scale":1}})
        ]
    );
}

#[test]
fn a_ref_capture_uses_the_border_box_plus_the_page_scroll() {
    let (mut h, sid) = with_snapshot();
    h.host.respond("Runtime.callFunctionOn", |_, _| {
        Ok(json!({"result":{"type":"object","value":{"value":{"x":1,"y":2,"width":30,"height":20}}}}))
    });
    // The border quad in viewport px (as for an element of a same-process iframe), the tab scrolled by 700 px.
    h.host.respond("DOM.getBoxModel", |_, _| {
        Ok(json!({"model":{"border":[110,240, 140,240, 140,260, 110,260],"content":[111,241, 139,241, 139,259, 111,259]}}))
    });
    h.host.respond("Page.getLayoutMetrics", |_, _| {
        Ok(json!({"cssVisualViewport":{"pageX":0,"pageY":700,"clientWidth":800,"clientHeight":600}}))
    });
    let r = req(&mut h, &sid, "a", "page.screenshot", json!({"ref":"r1"}));
    assert_eq!(r["payload"], json!({"base64":"UE5H"}));
    assert_eq!(
        h.host.params_of("Page.captureScreenshot"),
        vec![
            json!({"format":"png","captureBeyondViewport":true,"clip":{"x":110.0,"y":940.0,"width":30.0,"height":20.0,"scale":1}})
        ]
    );
}

#[test]
fn quads_become_bounds() {
    use crate::commands::screenshot::quad_bounds;
    assert_eq!(
        quad_bounds(&json!([10, 20, 50, 20, 50, 80, 10, 80])),
        Some((10.0, 20.0, 40.0, 60.0))
    );
    assert_eq!(
        quad_bounds(&json!([1, 1, 1, 1, 1, 1, 1, 1])),
        None,
        "no area"
    );
    assert_eq!(quad_bounds(&json!([1, 2, 3])), None);
}

#[test]
fn tile_plans_and_pixel_ratio() {
    assert_eq!(tile_plan(100.0, 4096.0), vec![(0.0, 100.0)]);
    assert_eq!(
        tile_plan(5000.0, 2048.0),
        vec![(0.0, 2048.0), (2048.0, 2048.0), (4096.0, 904.0)]
    );
    let m = json!({"cssContentSize":{"width":640},"contentSize":{"width":1280}});
    assert_eq!(device_pixel_ratio(&m), 2.0);
    assert_eq!(device_pixel_ratio(&json!({})), 1.0);
    assert_eq!(
        tile_plan(5000.0, TILE_DEVICE_PX / device_pixel_ratio(&m))[0].1,
        2048.0
    );
}

#[test]
fn stitching_keeps_rgb_and_rejects_mismatched_widths() {
    let a = png_of(3, 2, false, |_, _| [1, 2, 3]);
    let b = png_of(3, 1, false, |_, _| [4, 5, 6]);
    let (w, hh, ch, px) = decode(&stitch_png(&[a.clone(), b]).unwrap());
    assert_eq!((w, hh, ch), (3, 3, 3));
    assert_eq!(&px[..3], &[1, 2, 3]);
    assert_eq!(&px[px.len() - 3..], &[4, 5, 6]);
    let narrow = png_of(2, 1, false, |_, _| [0, 0, 0]);
    assert_eq!(
        stitch_png(&[a, narrow]).unwrap_err(),
        "tile 1 is 2 px wide, expected 3"
    );
    assert!(stitch_png(&[]).is_err());
    assert!(stitch_png(&[b"not a png".to_vec()]).is_err());
}
