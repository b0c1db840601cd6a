//! One test per country in the data file: a valid address, a malformed postcode and a
//! missing required field, each refused with the field named.

use super::*;

fn all() -> Vec<CountryCode> {
    known_countries()
        .map(|c| CountryCode::parse(c).unwrap())
        .collect()
}

fn input(country: &str, city: &str, region: Option<&str>, postal_code: &str) -> AddressInput {
    AddressInput {
        name: Some("Ada Lovelace".into()),
        line1: Some("12 Example Street".into()),
        line2: None,
        city: Some(city.into()),
        region: region.map(Into::into),
        postal_code: Some(postal_code.into()),
        country: Some(country.into()),
    }
}

fn refused_field(address: &AddressInput) -> &'static str {
    PostalAddress::parse(address, &all())
        .expect_err("refused")
        .field
}

/// A valid address, one whose postcode is malformed, and one without the field `missing`.
fn check_country(good: AddressInput, bad_postcode: &str, missing: &str) -> PostalAddress {
    let parsed = PostalAddress::parse(&good, &all())
        .unwrap_or_else(|e| panic!("{:?} should pass: {e}", good.country));
    let mut bad = good.clone();
    bad.postal_code = Some(bad_postcode.into());
    assert_eq!(refused_field(&bad), "address.postalCode", "{bad_postcode}");
    let mut without = good.clone();
    match missing {
        "city" => without.city = None,
        "region" => without.region = None,
        "postalCode" => without.postal_code = Some("  ".into()),
        other => panic!("no field {other}"),
    }
    assert_eq!(refused_field(&without), format!("address.{missing}"));
    parsed
}

#[test]
fn every_country_in_the_data_file_compiles() {
    let data: serde_json::Value =
        serde_json::from_str(include_str!("../../data/addresses.json")).unwrap();
    let listed = data["countries"].as_object().unwrap().len();
    assert_eq!(
        known_countries().count(),
        listed,
        "a pattern failed to compile"
    );
    for code in known_countries() {
        let format = address_format(code).unwrap();
        assert_eq!(format.code, code);
        let example = AddressInput {
            region: format.regions.first().cloned().or(Some("Region".into())),
            ..input(code, "Town", None, &format.postal_code_example)
        };
        PostalAddress::parse(&example, &all())
            .unwrap_or_else(|e| panic!("{code}'s own example is refused: {e}"));
    }
}

#[test]
fn us() {
    let a = check_country(
        input("US", "Cupertino", Some("ca"), "95014-2083"),
        "9501",
        "region",
    );
    assert_eq!(a.region.as_deref(), Some("CA"));
    assert_eq!(a.city, "CUPERTINO");
    assert_eq!(
        refused_field(&input("US", "Springfield", Some("ZZ"), "62701")),
        "address.region"
    );
    assert_eq!(a.lines()[2], "CUPERTINO CA 95014-2083");
}

#[test]
fn ca() {
    let a = check_country(
        input("CA", "Montréal", Some("QC"), "h3z 2y7"),
        "H3Z 2Y",
        "city",
    );
    assert_eq!(a.postal_code, "H3Z 2Y7");
    assert_eq!(a.city, "MONTRÉAL");
}

#[test]
fn gb() {
    let a = check_country(
        input("GB", "London", None, "ec1y 8sy"),
        "EC1Y 8",
        "postalCode",
    );
    assert_eq!(a.postal_code, "EC1Y 8SY");
    assert!(PostalAddress::parse(&input("GB", "Edinburgh", None, "EH1 1YZ"), &all()).is_ok());
    assert!(PostalAddress::parse(&input("GB", "London", None, "SW1A 2AA"), &all()).is_ok());
    assert_eq!(
        refused_field(&input("GB", "London", None, "QQ1 1AA")),
        "address.postalCode"
    );
}

#[test]
fn ie() {
    let a = check_country(
        input("IE", "Athlone", Some("co. westmeath"), "N37 V2E8"),
        "N37",
        "region",
    );
    assert_eq!(a.region.as_deref(), Some("Co. Westmeath"));
}

#[test]
fn fr() {
    check_country(input("FR", "Bordeaux", None, "33380"), "3338", "city");
}

#[test]
fn de() {
    check_country(
        input("DE", "Oldenburg", None, "26133"),
        "2613A",
        "postalCode",
    );
}

#[test]
fn nl() {
    let a = check_country(input("NL", "Amsterdam", None, "1017 cb"), "1017", "city");
    assert_eq!(a.postal_code, "1017 CB");
}

#[test]
fn be() {
    check_country(input("BE", "Liège", None, "4000"), "40000", "city");
}

#[test]
fn es() {
    check_country(
        input("ES", "Madrid", Some("Madrid"), "28039"),
        "2803",
        "region",
    );
}

#[test]
fn it() {
    let a = check_country(input("IT", "Roma", Some("rm"), "00144"), "0014", "region");
    assert_eq!(a.region.as_deref(), Some("RM"));
}

#[test]
fn au() {
    let a = check_country(input("AU", "Sydney", Some("NSW"), "2000"), "200", "region");
    assert_eq!(a.lines()[2], "SYDNEY NSW 2000");
    assert_eq!(a.lines()[3], "AUSTRALIA");
}

#[test]
fn nz() {
    check_country(input("NZ", "Wellington", None, "6011"), "60111", "city");
}

#[test]
fn at_ch_dk_se_no_pt() {
    check_country(input("AT", "Wien", None, "1010"), "101", "city");
    check_country(input("CH", "Zürich", None, "8001"), "80011", "postalCode");
    check_country(input("DK", "København", None, "1050"), "10500", "city");
    check_country(input("SE", "Stockholm", None, "113 51"), "1135", "city");
    check_country(input("NO", "Oslo", None, "0025"), "025", "city");
    check_country(input("PT", "Lisboa", None, "1100-148"), "1100148", "city");
}

#[test]
fn the_country_must_be_one_the_venue_ships_to() {
    let shipping = [CountryCode::parse("GB").unwrap()];
    let us = input("US", "Cupertino", Some("CA"), "95014");
    let refused = PostalAddress::parse(&us, &shipping).unwrap_err();
    assert_eq!(refused.field, "address.country");
    let nowhere = input("XX", "Town", None, "1");
    assert_eq!(refused_field(&nowhere), "address.country");
    let mut none = us.clone();
    none.country = None;
    assert_eq!(refused_field(&none), "address.country");
}

#[test]
fn name_and_first_line_are_always_required_and_bounded() {
    let mut a = input("DE", "Berlin", None, "10115");
    a.name = None;
    assert_eq!(refused_field(&a), "address.name");
    let mut a = input("DE", "Berlin", None, "10115");
    a.line1 = Some(" ".into());
    assert_eq!(refused_field(&a), "address.line1");
    let mut a = input("DE", "Berlin", None, "10115");
    a.name = Some("x".repeat(41));
    assert_eq!(refused_field(&a), "address.name");
    let mut a = input("DE", "Berlin", None, "10115");
    a.line2 = Some("Flat 2\nBack door".into());
    assert_eq!(refused_field(&a), "address.line2");
}

#[test]
fn an_address_is_not_logged() {
    let a = PostalAddress::parse(&input("DE", "Berlin", None, "10115"), &all()).unwrap();
    assert_eq!(format!("{a:?}"), "PostalAddress(DE)");
}
