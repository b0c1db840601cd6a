//! The DNS listener: answers A, CNAME and TXT questions from the double's zone over UDP and
//! TCP on one port of 127.0.0.1, authoritatively, with NXDOMAIN for names it has nothing at
//! or below. CNAMEs are followed inside the zone, and a connection group's routing endpoint
//! answers A 127.0.0.1, so a venue's hostname resolves end to end on this machine.

use std::net::Ipv4Addr;
use std::time::Duration;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, CNAME, SOA, TXT};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::watch;

use crate::App;
use crate::store::Store;
use crate::zone::{DnsName, RecordKind, RecordSet};

/// Records change whenever a test says so: nothing should be cached.
const TTL: u32 = 0;
/// Classic DNS over UDP without EDNS.
const PLAIN_UDP_LIMIT: usize = 512;
/// What the double offers with EDNS (the DNS flag day 2020 size).
const EDNS_UDP_LIMIT: u16 = 1232;
/// CNAME hops followed inside the zone before giving up on a loop.
const MAX_CHAIN: usize = 8;

pub async fn serve_udp(socket: UdpSocket, app: App, mut stop: watch::Receiver<bool>) {
    let mut buf = vec![0u8; 4096];
    loop {
        let (len, peer) = tokio::select! {
            received = socket.recv_from(&mut buf) => match received {
                Ok(received) => received,
                Err(err) => {
                    tracing::warn!(error = %err, "dns: udp receive failed");
                    continue;
                }
            },
            _ = stop.wait_for(|stopped| *stopped) => return,
        };
        let Some(response) = answer(&app, &buf[..len], Transport::Udp) else {
            continue;
        };
        if let Err(err) = socket.send_to(&response, peer).await {
            tracing::warn!(error = %err, "dns: udp send failed");
        }
    }
}

pub async fn serve_tcp(listener: TcpListener, app: App, mut stop: watch::Receiver<bool>) {
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    tracing::warn!(error = %err, "dns: tcp accept failed");
                    continue;
                }
            },
            _ = stop.wait_for(|stopped| *stopped) => return,
        };
        let app = app.clone();
        tokio::spawn(async move {
            // A client that goes quiet is dropped rather than held forever.
            let _ =
                tokio::time::timeout(Duration::from_secs(10), serve_connection(stream, app)).await;
        });
    }
}

/// DNS over TCP: messages with a two-byte length prefix, as many as the client sends.
async fn serve_connection(mut stream: TcpStream, app: App) -> std::io::Result<()> {
    loop {
        let mut len = [0u8; 2];
        if stream.read_exact(&mut len).await.is_err() {
            return Ok(()); // the client closed the connection
        }
        let mut message = vec![0u8; usize::from(u16::from_be_bytes(len))];
        stream.read_exact(&mut message).await?;
        let Some(response) = answer(&app, &message, Transport::Tcp) else {
            return Ok(());
        };
        let Ok(len) = u16::try_from(response.len()) else {
            return Ok(());
        };
        stream.write_all(&len.to_be_bytes()).await?;
        stream.write_all(&response).await?;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Udp,
    Tcp,
}

/// The wire response to one wire request; `None` when it is not a request worth answering
/// (unreadable, or itself a response).
pub fn answer(app: &App, request: &[u8], transport: Transport) -> Option<Vec<u8>> {
    let request = Message::from_vec(request).ok()?;
    if request.metadata.message_type != MessageType::Query {
        return None;
    }
    let response = {
        let store = app.lock();
        respond(&store, &request)
    };
    let limit = match (transport, &request.edns) {
        (Transport::Tcp, _) => usize::from(u16::MAX),
        (Transport::Udp, Some(edns)) => usize::from(edns.max_payload().clamp(512, EDNS_UDP_LIMIT)),
        (Transport::Udp, None) => PLAIN_UDP_LIMIT,
    };
    let bytes = response.to_vec().ok()?;
    if bytes.len() <= limit {
        return Some(bytes);
    }
    // Too big for UDP: the client retries over TCP.
    response.truncate().to_vec().ok()
}

fn respond(store: &Store, request: &Message) -> Message {
    let mut response = Message::response(request.metadata.id, request.metadata.op_code);
    response.metadata.recursion_desired = request.metadata.recursion_desired;
    response.metadata.authoritative = true;
    response.queries = request.queries.clone();
    if request.edns.is_some() {
        let mut edns = Edns::new();
        edns.set_max_payload(EDNS_UDP_LIMIT);
        response.set_edns(edns);
    }
    if request.metadata.op_code != OpCode::Query {
        response.metadata.response_code = ResponseCode::NotImp;
        return response;
    }
    let [query] = request.queries.as_slice() else {
        response.metadata.response_code = ResponseCode::FormErr;
        return response;
    };
    if query.query_class() != DNSClass::IN {
        response.metadata.response_code = ResponseCode::Refused;
        return response;
    }
    let Ok(name) = DnsName::parse(&query.name().to_ascii()) else {
        response.metadata.response_code = ResponseCode::NXDomain;
        response.add_authority(soa_for(query.name()));
        return response;
    };
    collect(store, &name, query.query_type(), &mut response.answers, 0);
    if response.answers.is_empty() {
        if !store.zone.name_exists(&name) && !store.is_routing_endpoint(&name) {
            response.metadata.response_code = ResponseCode::NXDomain;
        }
        // Negative answers carry an SOA whose minimum (0) says not to cache them.
        response.add_authority(soa_for(query.name()));
    }
    response
}

/// The records answering `qtype` at `name`, following CNAMEs inside the zone.
fn collect(
    store: &Store,
    name: &DnsName,
    qtype: RecordType,
    answers: &mut Vec<Record>,
    depth: usize,
) {
    let Some(owner) = wire_name(name) else {
        return;
    };
    if let Some(target) = store.zone.cname(name) {
        if let Some(target_name) = wire_name(target) {
            answers.push(Record::from_rdata(
                owner,
                TTL,
                RData::CNAME(CNAME(target_name)),
            ));
        }
        if qtype != RecordType::CNAME && depth < MAX_CHAIN {
            collect(store, target, qtype, answers, depth + 1);
        }
        return;
    }
    match qtype {
        RecordType::A => match store.zone.get(name, RecordKind::A) {
            Some(RecordSet::A(addrs)) => answers.extend(
                addrs
                    .iter()
                    .map(|ip| Record::from_rdata(owner.clone(), TTL, RData::A(A(*ip)))),
            ),
            _ if store.is_routing_endpoint(name) => answers.push(Record::from_rdata(
                owner,
                TTL,
                RData::A(A(Ipv4Addr::LOCALHOST)),
            )),
            _ => {}
        },
        RecordType::TXT => {
            if let Some(RecordSet::Txt(values)) = store.zone.get(name, RecordKind::Txt) {
                answers.extend(values.iter().map(|value| {
                    Record::from_rdata(
                        owner.clone(),
                        TTL,
                        RData::TXT(TXT::new(vec![value.clone()])),
                    )
                }));
            }
        }
        _ => {}
    }
}

fn wire_name(name: &DnsName) -> Option<Name> {
    Name::from_ascii(format!("{name}.")).ok()
}

/// An SOA for negative answers. The double has no zones, so the apex is taken to be the
/// queried name's last two labels.
fn soa_for(qname: &Name) -> Record {
    let labels = qname.num_labels();
    let apex = if labels > 2 {
        qname.trim_to(2)
    } else {
        qname.clone()
    };
    let host = |label: &str| {
        Name::from_ascii(format!("{label}.edge-double.localhost.")).unwrap_or_else(|_| Name::root())
    };
    Record::from_rdata(
        apex,
        TTL,
        RData::SOA(SOA::new(
            host("ns"),
            host("hostmaster"),
            1,
            3600,
            600,
            86_400,
            0,
        )),
    )
}
