with

source as (

    select * from {{ source('raw', 'don_thu') }}

),

renamed as (

    select
        _month as month_date,
        petition_id,
        received_date,
        kind as petition_kind,
        topic as petition_topic,
        petitioner_id_number_hash as petitioner_hash,
        unit_code,
        official_code,
        due_date,
        resolved_date,
        status as petition_status,
        _file as source_file,
        _line as source_line,
        _file_sha256 as source_file_sha256

    from source

)

select * from renamed
