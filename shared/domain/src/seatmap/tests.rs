use super::*;
use serde_json::{Value, json};

fn small_map_json() -> Value {
    json!({
        "name": "Little Theatre",
        "zones": [
            { "id": "stalls", "name": "Stalls", "colour": "#AA0000" },
            { "id": "circle" },
            { "id": "standing" }
        ],
        "sections": [
            {
                "id": "main",
                "name": "Main floor",
                "rows": [
                    { "label": "A", "seats": [
                        { "label": "1", "x": 10, "y": 10, "zone": "stalls", "rank": 1, "accessible": true },
                        { "label": "2", "x": 20, "y": 10, "zone": "stalls", "rank": 1, "companion": true },
                        { "label": "3", "x": 30, "y": 10, "zone": "stalls", "rank": 2, "note": " Pillar " }
                    ]},
                    { "label": "Row 2", "seats": [
                        { "label": "1a", "x": 10, "y": 20, "zone": "circle", "rank": 5, "restrictedView": true },
                        { "id": "vip-seat", "label": "2", "x": 20, "y": 20, "zone": "circle", "rank": 5 }
                    ]}
                ]
            }
        ],
        "areas": [
            { "id": "pit", "name": "Standing pit", "zone": "standing", "capacity": 300, "x": 50, "y": 90 }
        ]
    })
}

fn parse_json(value: Value) -> Result<SeatMap, SeatMapError> {
    let input: SeatMapInput = serde_json::from_value(value).unwrap();
    SeatMap::parse(input)
}

fn small_map() -> SeatMap {
    parse_json(small_map_json()).unwrap()
}

/// The error for `small_map_json` after `edit`.
fn error_after(edit: impl FnOnce(&mut Value)) -> SeatMapError {
    let mut value = small_map_json();
    edit(&mut value);
    parse_json(value).unwrap_err()
}

fn seat_id(id: &str) -> SeatId {
    SeatId::parse(id).unwrap()
}

#[test]
fn ids_are_key_safe() {
    assert_eq!(
        SeatId::parse(" 101-A.12_b ").unwrap().as_str(),
        "101-A.12_b"
    );
    for bad in ["", "A#1", "a b", "é", &"x".repeat(49)] {
        assert!(SeatId::parse(bad).is_err(), "{bad:?} should be refused");
        assert!(ZoneId::parse(bad).is_err());
    }
    assert_eq!(
        SectionId::sanitised("Box A / Left").unwrap().as_str(),
        "Box-A---Left"
    );
    assert_eq!(
        SectionId::sanitised(&"y".repeat(60))
            .unwrap()
            .as_str()
            .len(),
        48
    );
    assert_eq!(SectionId::sanitised("  "), None);
    assert!(serde_json::from_value::<SeatId>(json!("S#1")).is_err());
}

#[test]
fn parses_a_layout_with_defaults() {
    let map = small_map();
    assert_eq!(map.name, "Little Theatre");
    assert_eq!(map.seat_count(), 5);
    let ids: Vec<&str> = map.seats().map(|(_, _, s)| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "main-A-1",
            "main-A-2",
            "main-A-3",
            "main-Row-2-1a",
            "vip-seat"
        ],
        "default ids are section-row-seat with spaces replaced"
    );
    assert_eq!(
        map.zones[1].name, "circle",
        "a zone name defaults to its id"
    );
    assert_eq!(
        map.zones[0].colour.clone().map(String::from),
        Some("#aa0000".to_owned())
    );
    let seats: Vec<&Seat> = map.seats().map(|(_, _, s)| s).collect();
    assert!(seats[0].accessible && !seats[0].companion);
    assert!(seats[1].companion);
    assert_eq!(seats[2].note.as_deref(), Some("Pillar"));
    assert!(seats[3].restricted_view);
    assert_eq!(map.areas[0].capacity, 300);
    assert_eq!(
        map.zone_ids(),
        ["stalls", "circle", "standing"].map(|z| ZoneId::parse(z).unwrap())
    );
}

#[test]
fn used_zones_leave_out_unused_ones() {
    let mut value = small_map_json();
    value["zones"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "id": "boxes" }));
    let map = parse_json(value).unwrap();
    assert_eq!(map.zone_ids().len(), 4);
    assert_eq!(
        map.used_zone_ids(),
        ["stalls", "circle", "standing"].map(|z| ZoneId::parse(z).unwrap())
    );
}

#[test]
fn errors_point_at_the_json_path() {
    type Edit = Box<dyn FnOnce(&mut Value)>;
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|v| v["sections"][0]["rows"][1]["seats"][1]["zone"] = json!("balcony")),
            "sections[0].rows[1].seats[1].zone",
        ),
        (
            Box::new(|v| v["zones"][2]["id"] = json!("stalls")),
            "zones[2].id",
        ),
        (
            Box::new(|v| v["zones"][0]["colour"] = json!("red")),
            "zones[0].colour",
        ),
        (Box::new(|v| v["name"] = json!("  ")), "name"),
        (Box::new(|v| v["name"] = json!("n".repeat(121))), "name"),
        (
            Box::new(|v| v["sections"][0]["rows"][0]["seats"][2]["rank"] = json!(0)),
            "sections[0].rows[0].seats[2].rank",
        ),
        (
            Box::new(|v| v["sections"][0]["rows"][0]["seats"][0]["x"] = json!(100_001)),
            "sections[0].rows[0].seats[0].x",
        ),
        (
            Box::new(|v| v["sections"][0]["rows"][0]["seats"][0]["y"] = json!(-1)),
            "sections[0].rows[0].seats[0].y",
        ),
        (
            Box::new(|v| v["sections"][0]["rows"][0]["seats"][1]["label"] = json!("x".repeat(17))),
            "sections[0].rows[0].seats[1].label",
        ),
        (
            Box::new(|v| v["sections"][0]["rows"][0]["seats"][1]["label"] = json!("1")),
            "sections[0].rows[0].seats[1].label",
        ),
        (
            Box::new(|v| v["sections"][0]["rows"][1]["seats"][1]["label"] = json!("1a")),
            "sections[0].rows[1].seats[1].label",
        ),
        (
            Box::new(|v| v["sections"][0]["rows"][1]["label"] = json!("A")),
            "sections[0].rows[1].label",
        ),
        (
            Box::new(|v| v["sections"][0]["rows"][0]["seats"][1]["note"] = json!("n".repeat(201))),
            "sections[0].rows[0].seats[1].note",
        ),
        (
            Box::new(|v| v["sections"][0]["rows"][0]["seats"][1]["id"] = json!("vip-seat")),
            "sections[0].rows[1].seats[1].id",
        ),
        (
            Box::new(|v| v["sections"][0]["rows"][0]["seats"][1]["id"] = json!("no#hash")),
            "sections[0].rows[0].seats[1].id",
        ),
        (
            Box::new(|v| v["sections"][0]["rows"][0]["seats"] = json!([])),
            "sections[0].rows[0].seats",
        ),
        (
            Box::new(|v| v["areas"][0]["capacity"] = json!(0)),
            "areas[0].capacity",
        ),
        (
            Box::new(|v| v["areas"][0]["capacity"] = json!(100_001)),
            "areas[0].capacity",
        ),
        (
            Box::new(|v| v["areas"][0]["id"] = json!("main")),
            "areas[0].id",
        ),
        (
            Box::new(|v| v["areas"][0]["zone"] = json!("vip")),
            "areas[0].zone",
        ),
        (
            Box::new(|v| {
                let section = v["sections"][0].clone();
                v["sections"].as_array_mut().unwrap().push(section);
            }),
            "sections[1].id",
        ),
        (
            Box::new(|v| {
                v["sections"] = json!([]);
                v["areas"] = json!([]);
            }),
            "sections",
        ),
    ];
    for (edit, path) in cases {
        assert_eq!(error_after(edit).path, path);
    }
}

#[test]
fn duplicate_messages_name_the_first_use() {
    let error = error_after(|v| {
        v["sections"][0]["rows"][0]["seats"][1]["id"] = json!("vip-seat");
    });
    // The second seat claims `vip-seat` first, so the later explicit one is the duplicate.
    assert_eq!(
        error.to_string(),
        "sections[0].rows[1].seats[1].id: 'vip-seat' is already used by sections[0].rows[0].seats[1]"
    );
}

#[test]
fn unknown_fields_are_refused() {
    let mut value = small_map_json();
    value["sections"][0]["rows"][0]["seats"][0]["restrictedview"] = json!(true);
    assert!(serde_json::from_value::<SeatMapInput>(value).is_err());
}

#[test]
fn too_many_seats_are_refused_before_anything_else() {
    let seat = |i: usize| SeatInput {
        id: None,
        label: i.to_string(),
        x: 0.0,
        y: 0.0,
        zone: "nowhere".into(),
        rank: 1,
        accessible: false,
        restricted_view: false,
        companion: false,
        note: None,
    };
    let input = SeatMapInput {
        name: "Huge".into(),
        zones: vec![],
        sections: vec![SectionInput {
            id: "s".into(),
            name: None,
            rows: vec![RowInput {
                label: "A".into(),
                seats: (0..=MAX_SEATS).map(seat).collect(),
            }],
        }],
        areas: vec![],
    };
    let error = SeatMap::parse(input).unwrap_err();
    assert_eq!(error.path, "sections");
    assert!(error.message.contains("50000"), "{}", error.message);
}

#[test]
fn a_section_round_trips_on_its_own() {
    let map = small_map();
    let section = &map.sections[0];
    let json = serde_json::to_value(section).unwrap();
    assert_eq!(
        json["rows"][0]["seats"][0],
        json!({ "id": "main-A-1", "label": "1", "x": 10.0, "y": 10.0, "zone": "stalls", "rank": 1, "accessible": true }),
        "false flags and empty notes are left out"
    );
    let back: Section = serde_json::from_value(json).unwrap();
    assert_eq!(&back, section);
}

#[test]
fn a_map_round_trips_and_its_json_is_also_an_input() {
    let map = small_map();
    let json = serde_json::to_value(&map).unwrap();
    let back: SeatMap = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, map);
    let reposted = parse_json(json).unwrap();
    assert_eq!(reposted, map, "fetch, edit, post back");
}

#[test]
fn deserializing_a_map_validates_it() {
    let mut json = serde_json::to_value(small_map()).unwrap();
    json["sections"][0]["rows"][0]["seats"][0]["zone"] = json!("vip");
    let error = serde_json::from_value::<SeatMap>(json).unwrap_err();
    assert!(
        error.to_string().contains("not one of the map's zones"),
        "{error}"
    );
}

#[test]
fn from_parts_reassembles_stored_sections() {
    let map = small_map();
    let again = SeatMap::from_parts(
        map.name.clone(),
        map.zones.clone(),
        map.sections.clone(),
        map.areas.clone(),
    )
    .unwrap();
    assert_eq!(again, map);
    let mut sections = map.sections.clone();
    sections[0].rows[0].seats[0].x = f64::NAN;
    let error = SeatMap::from_parts("X".into(), map.zones.clone(), sections, vec![]).unwrap_err();
    assert_eq!(error.path, "sections[0].rows[0].seats[0].x");
}

#[test]
fn the_index_finds_seats_by_id() {
    let map = small_map();
    let index = SeatIndex::new(&map);
    assert_eq!(index.len(), 5);
    let found = index.locate(&seat_id("vip-seat")).unwrap();
    assert_eq!(found.section.as_str(), "main");
    assert_eq!(found.row, "Row 2");
    assert_eq!(found.zone().as_str(), "circle");
    assert_eq!(found.seat.label, "2");
    assert_eq!(
        found.position,
        SeatPosition {
            section: 0,
            row: 1,
            seat: 1
        }
    );
    assert!(index.locate(&seat_id("main-Z-9")).is_none());
    assert_eq!(
        map.seat_at(found.position).map(|l| l.seat.id.clone()),
        Some(seat_id("vip-seat"))
    );
}

#[test]
fn lookups_by_id() {
    let map = small_map();
    assert!(map.section(&SectionId::parse("main").unwrap()).is_some());
    assert!(map.area(&AreaId::parse("pit").unwrap()).is_some());
    assert!(map.zone(&ZoneId::parse("circle").unwrap()).is_some());
    assert!(map.zone(&ZoneId::parse("boxes").unwrap()).is_none());
}

#[test]
fn status_strings_follow_row_then_seat_order() {
    let map = small_map();
    let status = section_status(&map.sections[0], |id| match id.as_str() {
        "main-A-2" => SeatStatus::Held,
        "main-A-3" => SeatStatus::Sold,
        "vip-seat" => SeatStatus::Blocked,
        _ => SeatStatus::Free,
    });
    assert_eq!(status, "fhsfb");
    let back: Vec<SeatStatus> = status.chars().filter_map(SeatStatus::from_code).collect();
    assert_eq!(back.len(), 5);
    assert_eq!(back[1], SeatStatus::Held);
    assert_eq!(SeatStatus::from_code('x'), None);
    assert_eq!(
        serde_json::to_value(SeatStatus::Blocked).unwrap(),
        json!("blocked")
    );
}

#[test]
fn an_arena_status_payload_is_small_even_before_compression() {
    let arena = generate_arena(20_000);
    let statuses: serde_json::Map<String, Value> = arena
        .sections
        .iter()
        .map(|section| {
            let status = section_status(section, |id| {
                if id.as_str().ends_with('7') {
                    SeatStatus::Sold
                } else {
                    SeatStatus::Free
                }
            });
            (section.id.to_string(), Value::String(status))
        })
        .collect();
    let bytes = serde_json::to_vec(&statuses).unwrap().len();
    assert!(
        bytes < 22_000,
        "{bytes} bytes uncompressed; the budget is 60 KB gzipped"
    );
}

#[test]
fn the_generated_arena_is_valid_and_exact() {
    for seats in [0, 1, 24, 25, 26, 999, 1000, 20_000, 20_013] {
        let arena = generate_arena(seats);
        assert_eq!(arena.seat_count(), seats);
        assert_eq!(arena.areas.len(), 1);
        let revalidated = SeatMap::from_parts(
            arena.name.clone(),
            arena.zones.clone(),
            arena.sections.clone(),
            arena.areas.clone(),
        );
        assert_eq!(revalidated.as_ref(), Ok(&arena), "{seats} seats");
    }
    assert_eq!(generate_arena(MAX_SEATS + 1).seat_count(), MAX_SEATS);
    let arena = generate_arena(20_000);
    assert_eq!(arena.sections.len(), 40);
    assert!(arena.sections.iter().all(|s| s.rows.len() == 20));
    assert!(arena.seats().any(|(_, _, s)| s.accessible));
    assert!(arena.seats().any(|(_, _, s)| s.restricted_view));
    assert_eq!(arena.used_zone_ids().len(), 4);
}

mod csv {
    use super::*;

    const HEADER: &str = "section,row,seat,price zone,best-available rank,x,y,note";

    fn import(body: &str) -> Result<SeatMap, CsvError> {
        SeatMap::from_csv("Imported", body)
    }

    fn error(body: &str) -> (usize, Option<String>, String) {
        let e = import(body).unwrap_err();
        (e.line, e.column, e.message)
    }

    #[test]
    fn imports_rows_and_seats_in_file_order() {
        let body = format!(
            "{HEADER}\n\
             Stalls,A,2,Stalls,1,20,10,\n\
             Stalls,A,1,Stalls,1,10,10,\n\
             Circle,A,1,Upper Circle,9,10,50,\"Pillar, left\"\n\
             Stalls,B,1,Stalls,2,10,20,\n\
             Stalls,A,3,Stalls,1,30,10,\n"
        );
        let map = import(&body).unwrap();
        assert_eq!(map.name, "Imported");
        let sections: Vec<&str> = map.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(sections, ["Stalls", "Circle"]);
        let stalls = &map.sections[0];
        assert_eq!(stalls.name, "Stalls", "the name defaults to the value");
        let rows: Vec<&str> = stalls.rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(rows, ["A", "B"]);
        let row_a: Vec<&str> = stalls.rows[0]
            .seats
            .iter()
            .map(|s| s.label.as_str())
            .collect();
        assert_eq!(
            row_a,
            ["2", "1", "3"],
            "the venue lists seats left to right"
        );
        let zones: Vec<(&str, &str)> = map
            .zones
            .iter()
            .map(|z| (z.id.as_str(), z.name.as_str()))
            .collect();
        assert_eq!(
            zones,
            [("Stalls", "Stalls"), ("Upper-Circle", "Upper Circle")]
        );
        let circle_seat = &map.sections[1].rows[0].seats[0];
        assert_eq!(circle_seat.id.as_str(), "Circle-A-1");
        assert_eq!(circle_seat.note.as_deref(), Some("Pillar, left"));
        assert_eq!(circle_seat.zone.as_str(), "Upper-Circle");
        assert!(stalls.rows[0].seats[0].note.is_none());
    }

    #[test]
    fn headers_are_forgiving() {
        let body = "\u{feff}Best_Available_Rank;NOTE;Seat;Row;Price-Zone;X;Y;Section;Section Name;\
                    Accessible;RestrictedView;companion;door\n\
                    3;;1;A;Main;1;2;101;Lower 101;Yes;n;;North\n\
                    3;;2;A;Main;2;2;101;;0;TRUE;y;North\n";
        let map = import(body).unwrap();
        let section = &map.sections[0];
        assert_eq!(section.name, "Lower 101");
        let seats = &section.rows[0].seats;
        assert!(seats[0].accessible && !seats[0].restricted_view && !seats[0].companion);
        assert!(!seats[1].accessible && seats[1].restricted_view && seats[1].companion);
        assert_eq!(seats[1].rank, 3);
    }

    #[test]
    fn a_missing_column_is_named_on_line_one() {
        let (line, column, message) = error("section,row,seat,x,y,note,best available rank\n");
        assert_eq!((line, column.as_deref()), (1, Some("price zone")));
        assert!(message.contains("'price zone'"), "{message}");
        let (line, column, _) = error("");
        assert_eq!((line, column.as_deref()), (1, Some("section")));
        let (line, column, _) = error(&format!("{HEADER},Row\n"));
        assert_eq!((line, column.as_deref()), (1, Some("row")), "twice");
    }

    #[test]
    fn bad_cells_name_line_and_column() {
        let cases = [
            ("S,A,1,Z,1,ten,5,", 3, "x", "is not a number"),
            ("S,A,1,Z,1,10,,", 3, "y", "is empty"),
            ("S,,1,Z,1,10,5,", 3, "row", "is empty"),
            ("S,A,1,Z,-2,10,5,", 3, "best-available rank", "whole number"),
            ("S,A,1,Z,0,10,5,", 3, "best-available rank", "at least 1"),
            ("S,A,1,Z,1,10,NaN,", 3, "y", "0 to 100000"),
            ("S,A,1,Z,1,100001,5,", 3, "x", "0 to 100000"),
            ("S,A,12345678901234567,Z,1,10,5,", 3, "seat", "1 to 16"),
            ("S,A,1,Z,1,10,5,x", 0, "", ""),
        ];
        for (bad_line, line, column, message) in cases {
            let body = format!("{HEADER}\nS,A,9,Z,1,1,1,\n{bad_line}\n");
            let result = import(&body);
            if line == 0 {
                assert!(result.is_ok(), "{bad_line}");
                continue;
            }
            let e = result.unwrap_err();
            assert_eq!(
                (e.line, e.column.as_deref()),
                (line, Some(column)),
                "{bad_line}"
            );
            assert!(e.message.contains(message), "{bad_line}: {}", e.message);
        }
        let body = "section,row,seat,price zone,best-available rank,x,y,note,accessible\n\
                    S,A,1,Z,1,1,1,,maybe\n";
        let (line, column, _) = error(body);
        assert_eq!((line, column.as_deref()), (2, Some("accessible")));
    }

    #[test]
    fn duplicate_seats_name_both_lines() {
        let body = format!("{HEADER}\nS,A,1,Z,1,1,1,\nS,A,2,Z,1,2,1,\nS,A,1,Z,1,3,1,\n");
        let e = import(&body).unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (4, Some("seat")));
        assert!(e.message.ends_with("line 2"), "{}", e.message);
        assert_eq!(
            e.to_string(),
            format!("line 4, column 'seat': {}", e.message)
        );
    }

    #[test]
    fn a_quoted_line_break_counts_in_line_numbers() {
        let body = format!("{HEADER}\nS,A,1,Z,1,1,1,\"two\nlines\"\nS,A,2,Z,1,x,1,\n");
        let (line, column, _) = error(&body);
        assert_eq!((line, column.as_deref()), (4, Some("x")));
    }

    #[test]
    fn ragged_lines_and_empty_files_are_refused() {
        let (line, column, message) = error(&format!("{HEADER}\nS,A,1,Z,1,1,1,,extra\n"));
        assert_eq!((line, column), (2, None));
        assert!(message.contains("fields"), "{message}");
        let (line, _, message) = error(&format!("{HEADER}\n"));
        assert_eq!(line, 1);
        assert!(message.contains("no seats"));
    }

    #[test]
    fn the_name_is_checked_too() {
        let e = SeatMap::from_csv(" ", &format!("{HEADER}\nS,A,1,Z,1,1,1,\n")).unwrap_err();
        assert_eq!(e.line, 0);
        assert!(e.to_string().starts_with("name: "), "{e}");
    }

    #[test]
    fn too_many_seats_stop_the_import_at_the_first_extra_line() {
        let mut body = String::from(HEADER);
        for i in 0..=MAX_SEATS {
            body.push_str(&format!("\nS,{},{},Z,1,1,1,", i / 100, i % 100));
        }
        let e = import(&body).unwrap_err();
        assert_eq!(e.line, MAX_SEATS + 2);
    }

    #[test]
    fn the_arena_csv_imports_to_the_arena_seats() {
        let arena = generate_arena(20_000);
        let imported = SeatMap::from_csv("Generated Arena", &arena_csv(20_000)).unwrap();
        assert_eq!(imported.sections, arena.sections);
        assert_eq!(
            imported.zone_ids(),
            ["premium", "standard", "upper"].map(|z| ZoneId::parse(z).unwrap()),
            "zones in order of first appearance; the floor has no seats"
        );
        assert!(imported.areas.is_empty());
    }
}
