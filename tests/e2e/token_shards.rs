//! Many tenants' tokens in one shard secret (moto): concurrent writers of different tenants
//! never lose each other's tokens, and a disconnect removes only its own tenant.

use sbxy_domain::Secret;
use sbxy_domain::ids::TenantId;
use sbxy_harness::{Stack, StackOptions};
use sbxy_storage::PardotTokens;

fn tokens(tenant: usize, generation: usize) -> PardotTokens {
    PardotTokens {
        refresh_token: Secret::new(format!("refresh-{tenant}")),
        access_token: Some(Secret::new(format!("access-{tenant}-{generation}"))),
        issued_at_ms: Some(generation as i64),
    }
}

#[tokio::test]
async fn twenty_tenants_writing_one_shard_at_once_keep_every_token() {
    let seed = sbxy_harness::demo_seed().expect("seed");
    let stack = Stack::start(seed, StackOptions::default())
        .await
        .expect("stack");
    let secrets = stack.ctx.secrets.clone().with_token_shards(1);
    let tenants: Vec<TenantId> = (0..20)
        .map(|i| TenantId::parse(&format!("shard-tenant-{i}")).expect("id"))
        .collect();
    assert_eq!(
        secrets.tenant_tokens_name(&tenants[0]),
        secrets.tenant_tokens_name(&tenants[19]),
        "one shard holds every tenant"
    );

    for generation in 1..=3 {
        let mut writes = tokio::task::JoinSet::new();
        for (i, tenant) in tenants.iter().enumerate() {
            let (secrets, tenant) = (secrets.clone(), tenant.clone());
            writes.spawn(async move {
                secrets
                    .save_tenant_tokens(&tenant, &tokens(i, generation))
                    .await
            });
        }
        while let Some(written) = writes.join_next().await {
            written
                .expect("task")
                .expect("every concurrent write lands");
        }
    }

    for (i, tenant) in tenants.iter().enumerate() {
        let stored = secrets.tenant_tokens(tenant).await.expect("read");
        assert!(
            stored == Some(tokens(i, 3)),
            "tenant {i} holds its last tokens"
        );
    }

    secrets
        .delete_tenant_tokens(&tenants[0])
        .await
        .expect("delete");
    assert!(
        secrets
            .tenant_tokens(&tenants[0])
            .await
            .expect("read")
            .is_none()
    );
    let neighbour = secrets.tenant_tokens(&tenants[1]).await.expect("read");
    assert!(
        neighbour == Some(tokens(1, 3)),
        "the neighbour keeps its tokens"
    );
    stack.stop().await;
}
